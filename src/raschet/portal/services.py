"""Use cases of the personal account's users: sign up with an account number and the code from the
payment document, confirm the e-mail address, add another account, choose how documents are
delivered, and the one scope every other use case starts from (:func:`linked_account`).

A subscriber sees an account only through a confirmed :class:`AccountLink`; nothing else (the
account number in a URL, a document id) opens one. An unknown account and a wrong code get the same
answer, so the form cannot be used to find out which accounts exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from raschet.documents.models import DeliveryChannel, DeliveryPreference
from raschet.documents.signup import code_matches
from raschet.domain.errors import ProblemsError, problem
from raschet.housing.models import Account
from raschet.portal.models import AccountLink, SignupAttempt

CONFIRM_SALT = "raschet.portal.confirm"
CONFIRM_DAYS = 3
ATTEMPTS = 10  # wrong codes per account number and hour
ATTEMPT_WINDOW = timedelta(hours=1)


class NotLinked(ProblemsError):
    """The user has no confirmed link to the account (views answer 404: nothing tells it exists)."""


def _refused(field: str, value: str, reason: str) -> ProblemsError:
    return ProblemsError([problem("invalid_value", field, value=value, field=field, reason=reason)])


def accounts_of(user) -> QuerySet[Account]:
    """The accounts the user may see: those of their confirmed links."""
    if not getattr(user, "is_authenticated", False):
        return Account.objects.none()
    return Account.objects.filter(portal_links__user=user, portal_links__confirmed_at__isnull=False).order_by("number")


def linked_account(user, account_number: str) -> Account:
    """The account if the user has a confirmed link to it; otherwise :class:`NotLinked`."""
    account = accounts_of(user).filter(number=account_number).select_related("premises__building").first()
    if account is None:
        raise NotLinked([problem("forbidden", str(account_number), user=str(user), action="просмотр лицевого счёта",
                                 permission="привязка лицевого счёта в личном кабинете")])
    return account


def _account_with_code(account_number: str, code: str) -> Account:
    """The account whose printed code this is. Wrong codes are counted per account number (outside the
    caller's transaction, so a refusal does not undo its count): after :data:`ATTEMPTS` in an hour
    the number is refused for the rest of the hour, so ten digits cannot be tried one by one."""
    number = (account_number or "").strip()[:30]
    since = timezone.now() - ATTEMPT_WINDOW
    if SignupAttempt.objects.filter(account_number=number, at__gte=since).count() >= ATTEMPTS:
        raise _refused("код для личного кабинета", number, "слишком много неверных попыток для этого лицевого "
                       "счёта: повторите через час или обратитесь в расчётный центр.")
    account = Account.objects.filter(number=number).first()
    if account is None or not code_matches(number, code):
        SignupAttempt.objects.create(account_number=number)
        raise _refused("код для личного кабинета", number, "лицевой счёт и код не подходят друг к другу. Код напечатан в "
                       "разделе 1 платёжного документа рядом с номером лицевого счёта; проверьте обе строки.")
    if account.closed and account.closed <= timezone.localdate():
        raise _refused("лицевой счёт", number, "лицевой счёт закрыт: обратитесь в расчётный центр.")
    return account


def _checked_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise _refused("пароль", "***", " ".join(error.messages)) from None


def sign_up(*, email: str, password: str, account_number: str, code: str,
            confirm_url: Callable[[str], str]) -> AccountLink:
    """A new user (inactive until the e-mail is confirmed) linked to the account; the confirmation
    letter is sent. Signing up again before confirming replaces the password and sends a new letter."""
    account = _account_with_code(account_number, code)  # before the transaction: a wrong code stays counted
    return _sign_up(account, (email or "").strip().lower(), password, confirm_url)


@transaction.atomic
def _sign_up(account: Account, email: str, password: str, confirm_url: Callable[[str], str]) -> AccountLink:
    users = get_user_model()
    user = users.objects.filter(username=email).first()
    if user is not None and user.is_active:
        raise _refused("электронная почта", email, "этот адрес уже зарегистрирован: войдите в личный кабинет и "
                       "добавьте лицевой счёт там (или восстановите пароль).")
    user = user or users(username=email, email=email, is_active=False)
    _checked_password(password, user)
    user.set_password(password)
    user.save()
    link, _ = AccountLink.objects.get_or_create(user=user, account=account)
    token = signing.dumps(user.pk, salt=CONFIRM_SALT)
    send_mail("Подтвердите адрес для личного кабинета",
              f"Здравствуйте!\n\nВы зарегистрировались в личном кабинете абонента (лицевой счёт {account.number}).\n"
              f"Чтобы подтвердить адрес электронной почты, откройте ссылку:\n{confirm_url(token)}\n\n"
              f"Ссылка действует {CONFIRM_DAYS} дня. Если вы не регистрировались, просто удалите это письмо.\n",
              None, [email])
    return link


@transaction.atomic
def confirm_email(*, token: str):
    """The user of a confirmation link, now active, with their sign-up links confirmed."""
    try:
        user_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise _refused("ссылка подтверждения", "", "срок ссылки истёк: зарегистрируйтесь ещё раз, придёт новое "
                       "письмо.") from None
    except signing.BadSignature:
        raise _refused("ссылка подтверждения", "", "ссылка повреждена: скопируйте её из письма целиком.") from None
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    AccountLink.objects.filter(user=user, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    return user


def add_account(*, user, account_number: str, code: str) -> AccountLink:
    """Another account for a signed-in user (whose address is confirmed): linked at once by its code."""
    if not getattr(user, "is_active", False):
        raise _refused("пользователь", str(user), "сначала подтвердите адрес электронной почты.")
    account = _account_with_code(account_number, code)
    with transaction.atomic():
        link, _ = AccountLink.objects.get_or_create(user=user, account=account)
        if link.confirmed_at is None:
            link.confirmed_at = timezone.now()
            link.save(update_fields=["confirmed_at"])
    return link


def delivery_of(*, user, account_number: str) -> DeliveryPreference:
    """How the account's documents are delivered (an unsaved paper preference when none was chosen)."""
    account = linked_account(user, account_number)
    return (DeliveryPreference.objects.filter(account=account).first()
            or DeliveryPreference(account=account, channel=DeliveryChannel.PAPER))


@transaction.atomic
def set_delivery(*, user, account_number: str, channel: str, email: str = "") -> DeliveryPreference:
    """The subscriber's choice of paper or e-mail (or both) for the documents of the account."""
    account = linked_account(user, account_number)
    if channel not in DeliveryChannel.values:
        raise _refused("способ доставки", channel, "выберите один из предложенных способов.")
    email = (email or "").strip() or (user.email if channel != DeliveryChannel.PAPER else "")
    if channel != DeliveryChannel.PAPER:
        try:
            validate_email(email)
        except ValidationError:
            raise _refused("электронная почта", email, "укажите адрес вида name@example.ru.") from None
    preference, _ = DeliveryPreference.objects.update_or_create(account=account,
                                                                defaults={"channel": channel, "email": email})
    return preference
