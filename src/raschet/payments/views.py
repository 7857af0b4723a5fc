"""The cash desk page: the QR fills the form, the cashier takes the money, the allocation is shown.

Every form the page shows carries a server-issued, signed idempotency key (``operation_id``): a
second submit of the same form — a double click, a reload, the back button — finds the payment
already taken and shows it, instead of taking the money twice.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from raschet import access
from raschet.domain.errors import ProblemsError
from raschet.payments.forms import CashDeskForm
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment

KEY_SALT = "raschet.payments.cash-desk"
KEY_MAX_AGE = 24 * 3600  # a form left open overnight is shown anew rather than trusted


def issue_key() -> str:
    return signing.TimestampSigner(salt=KEY_SALT).sign(uuid.uuid4().hex)


def read_key(signed: str) -> str | None:
    """The operation id of a key this server issued, or ``None`` for a forged, stale or missing one."""
    try:
        return signing.TimestampSigner(salt=KEY_SALT).unsign(signed, max_age=KEY_MAX_AGE)
    except signing.BadSignature:
        return None


@login_required
def cash_desk(request):
    if not access.allowed(request.user, access.TAKE_PAYMENT):
        raise PermissionDenied("Нет права принимать оплату.")
    form = CashDeskForm(request.POST or None)
    key = request.POST.get("operation_id", "")
    if request.method == "POST":
        if request.POST.get("action") == "fill":
            warnings = form.fill_from_qr()
            form = CashDeskForm(form.data) if not form.errors else form
            form.qr_warnings = warnings
        elif form.is_valid():
            operation_id = read_key(key)
            if operation_id is not None:
                return _take_payment(request, form, operation_id, key)
            form.add_error(None, "Форма оплаты устарела или повреждена: деньги не приняты. Проверьте данные и "
                                 "нажмите «Принять оплату» ещё раз.")
            key = ""
    return _page(request, form, key if read_key(key) else issue_key())


def _page(request, form: CashDeskForm, key: str):
    return render(request, "payments/cash_desk.html",
                  {**admin.site.each_context(request), "form": form, "operation_id": key,
                   "title": "Касса: приём оплаты"})


def _take_payment(request, form: CashDeskForm, operation_id: str, key: str):
    data = form.cleaned_data
    try:
        payment = record_payment(account_number=data["account"], paid_on=timezone.localdate(),
                                 amount=data["amount"], named_period=data["period"], source=PaymentSource.CASH,
                                 channel=f"cash:{request.user.get_username()}", operation_id=operation_id,
                                 actor=request.user)
    except ProblemsError as error:
        for item in error.problems:
            form.add_error(None, item.message)
        return _page(request, form, key)
    lines = [f"{e.ref_period} {e.service.name if e.service else 'аванс'}: {-e.amount} ₽"
             for e in payment.entries.select_related("service")]
    if payment.repeated:
        messages.warning(request, f"Эта оплата уже принята ранее ({payment.created_at:%d.%m.%Y %H:%M}): "
                         f"{payment.amount} ₽ по ЛС {payment.account_text}. Повторно деньги не приняты.")
    else:
        messages.success(request, f"Принято {payment.amount} ₽ по ЛС {payment.account.number}. Распределено: "
                         + "; ".join(lines))
    return redirect("cash_desk")
