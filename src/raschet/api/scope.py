"""Which accounts a caller may see and act on: the one scoping function every router uses.

A user linked to accounts through the personal account (``portal.AccountLink``, confirmed) sees
those accounts and nothing else. Staff see every account when their role holds the permission the
endpoint asks for (``housing.view_account`` to read, ``metering.add_reading`` to enter readings…),
given through Django groups as every other permission (``raschet.access``). An ``X-Api-Key``
client holds only its own permissions (taking payments), which also let it read a balance.

An unknown account answers 404; an account that exists but is not the caller's answers 403 — the
problem names the permission that would open it.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import connection
from django.db.models import QuerySet

from raschet import access
from raschet.api.auth import actor_of
from raschet.domain.errors import ProblemsError, problem
from raschet.housing.models import Account
from raschet.statements import fetch_one

VIEW_ACCOUNT = "housing.view_account"
ADD_READING = "metering.add_reading"
VIEW_DOCUMENT = "documents.view_paymentdocument"
VIEW_PAYMENT = "payments.view_payment"
access.register("housing", {"view_account": "Просматривать лицевые счета, начисления и сальдо"})
access.register("metering", {"add_reading": "Вносить показания приборов учёта"})
access.register("documents", {"view_paymentdocument": "Просматривать и скачивать платёжные документы"})
access.register("payments", {"view_payment": "Просматривать платежи"})


def linked_account_ids(actor: object) -> set[int]:
    """The accounts a subscriber user confirmed in the personal account (none for other actors)."""
    if not getattr(actor, "pk", None) or isinstance(actor, access.ApiClient | access.SystemActor):
        return set()
    try:
        link = apps.get_model("portal", "AccountLink")
    except LookupError:  # the personal account is not installed: nobody is linked
        return set()
    return set(link.objects.filter(user=actor, confirmed_at__isnull=False).values_list("account_id", flat=True))


def visible_accounts(request, permission: str = VIEW_ACCOUNT) -> QuerySet[Account]:
    """The accounts the caller may read: all with ``permission``, else only its linked ones."""
    actor = actor_of(request)
    if access.allowed(actor, permission):
        return Account.objects.all()
    return Account.objects.filter(pk__in=linked_account_ids(actor))


def is_linked(request, account: Account) -> bool:
    return account.pk in linked_account_ids(actor_of(request))


def account_for(request, number: str, *permissions: str, light: bool = False) -> Account:
    """The caller's account ``number``: 404 if there is none, 403 unless it is linked to the caller or
    the caller holds one of ``permissions`` (default: to view accounts). ``light``: only its id, number
    and opening date, in one written-out statement (the money endpoints, asked most often)."""
    if light:
        row = fetch_one(f"SELECT id, number, opened FROM {Account._meta.db_table} WHERE number = %s", [number])
        account = Account.from_db(connection.alias, ["id", "number", "opened"], row) if row else None
        if account is not None and not isinstance(account.opened, date):
            account.opened = date.fromisoformat(str(account.opened))
    else:
        account = Account.objects.select_related("premises__building").filter(number=number).first()
    if account is None:
        raise ProblemsError([problem("unknown_reference", "path.number", kind="лицевой счёт", value=number[:40])])
    actor = actor_of(request)
    needed = permissions or (VIEW_ACCOUNT,)
    if any(access.allowed(actor, permission) for permission in needed) or is_linked(request, account):
        return account
    access.require(actor, needed[0])  # raises the forbidden problem naming the permission
    return account
