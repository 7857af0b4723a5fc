"""The cash desk: the QR fills the form, the cashier sees the account's payer, address, debt by period
and the amount due, checks, confirms on a second step, the money is taken and a receipt printed; the
cashier's shift collects the payments with their totals by method.

Steps of ``/cash/`` (the ``action`` of the submit button): ``fill`` reads the QR into the form,
``check`` shows the confirmation (nothing is taken), ``pay`` takes the money, ``edit`` goes back.
Every form carries a server-issued, signed idempotency key (``operation_id``): a second submit of the
same confirmation — a double click, a reload, the back button — finds the payment already taken and
shows it, instead of taking the money twice.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from raschet import access
from raschet.access.decorators import permission_required
from raschet.domain.errors import ProblemsError
from raschet.payments import cash
from raschet.payments.forms import CashDeskForm
from raschet.payments.models import CashShift, Payment, PaymentSource
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


@permission_required(access.TAKE_PAYMENT)
def cash_desk(request):
    form = CashDeskForm(request.POST or None)
    key = request.POST.get("operation_id", "")
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "fill":
        warnings = form.fill_from_qr()
        form = CashDeskForm(form.data) if not form.errors else form
        form.qr_warnings = warnings
    elif request.method == "POST" and action in ("check", "pay") and form.is_valid():
        if action == "check":
            return _confirmation(request, form, key)
        operation_id = read_key(key)
        if operation_id is not None:
            return _take_payment(request, form, operation_id, key)
        form.add_error(None, "Форма оплаты устарела или повреждена: деньги не приняты. Проверьте данные и "
                             "нажмите «Принять оплату» ещё раз.")
        key = ""
    return _page(request, form, key if read_key(key) else issue_key())


def _due(form: CashDeskForm) -> cash.AccountDue | None:
    """The account the form names, if it names a known one (errors are the form's)."""
    number = (form.data.get("account") or "").strip()
    if not number:
        return None
    try:
        return cash.account_due(number)
    except ProblemsError as error:
        if any(p.code == "forbidden" for p in error.problems):
            raise  # the 403 page (raschet.access.decorators)
        form.add_error("account", " ".join(p.message for p in error.problems))
        return None


def _page(request, form: CashDeskForm, key: str):
    due = _due(form) if form.is_bound else None
    return render(request, "payments/cash_desk.html",
                  {"form": form, "operation_id": key, "due": due, "shift": cash.current_shift(request.user),
                   "title": "Касса: приём оплаты"})


def _confirmation(request, form: CashDeskForm, key: str):
    due = _due(form)
    if due is None:
        return _page(request, form, key if read_key(key) else issue_key())
    data = form.cleaned_data
    return render(request, "payments/cash_confirm.html",
                  {"form": form, "data": data, "due": due, "operation_id": key if read_key(key) else issue_key(),
                   "named_due": due.due(data["period"]), "shift": cash.current_shift(request.user),
                   "method_name": dict(form.fields["method"].choices).get(data["method"], ""),
                   "title": "Касса: подтверждение оплаты"})


def _take_payment(request, form: CashDeskForm, operation_id: str, key: str):
    data = form.cleaned_data
    try:
        shift = cash.open_shift(actor=request.user)
        payment = record_payment(account_number=data["account"], paid_on=timezone.localdate(),
                                 amount=data["amount"], named_period=data["period"], source=PaymentSource.CASH,
                                 channel=f"cash:{request.user.get_username()}", operation_id=operation_id,
                                 actor=request.user, shift=shift, method=data["method"])
    except ProblemsError as error:
        for item in error.problems:
            form.add_error(None, item.message)
        return _page(request, form, key)
    if payment.repeated:
        taken = timezone.localtime(payment.created_at)
        messages.warning(request, f"Эта оплата уже принята ранее ({taken:%d.%m.%Y %H:%M}): {payment.amount} ₽ "
                         f"по ЛС {payment.account_text}. Повторно деньги не приняты.")
    else:
        lines = [f"{e.ref_period} {e.service.name if e.service else 'аванс'}: {-e.amount} ₽"
                 for e in payment.entries.select_related("service")]
        messages.success(request, f"Принято {payment.amount} ₽ по ЛС {payment.account.number}. Распределено: "
                         + "; ".join(lines))
    return redirect("cash_receipt", payment_id=payment.pk)


@permission_required(access.TAKE_PAYMENT)
def receipt(request, payment_id: int):
    """The receipt of a cash payment, to print (the fiscal device comes later)."""
    payment = get_object_or_404(Payment.objects.select_related("account__premises__building", "shift__cashier"),
                                pk=payment_id, source=PaymentSource.CASH)
    entries = [(e.ref_period, e.service.name if e.service else "аванс", -e.amount)
               for e in payment.entries.select_related("service").order_by("ref_period", "service__name")]
    return render(request, "payments/cash_receipt.html",
                  {"payment": payment, "entries": entries, "title": f"Квитанция об оплате № {payment.pk}"})


@permission_required(access.TAKE_PAYMENT)
def shift_view(request, shift_id: int | None = None):
    """The cashier's shift: open (or the one named), its payments and totals by method."""
    shift = get_object_or_404(CashShift, pk=shift_id) if shift_id else cash.current_shift(request.user)
    payments = shift.payments.select_related("account").order_by("-created_at") if shift else []
    return render(request, "payments/cash_shift.html",
                  {"shift": shift, "payments": payments, "totals": cash.shift_totals(shift) if shift else None,
                   "title": f"Кассовая смена № {shift.pk}" if shift else "Кассовая смена"})


@require_POST
@permission_required(access.TAKE_PAYMENT)
def shift_open(request):
    shift = cash.open_shift(actor=request.user)
    messages.success(request, f"Смена № {shift.pk} открыта.")
    return redirect("cash_desk")


@require_POST
@permission_required(access.TAKE_PAYMENT)
def shift_close(request, shift_id: int):
    shift = get_object_or_404(CashShift, pk=shift_id)
    try:
        cash.close_shift(shift=shift, actor=request.user)
    except ProblemsError as error:
        if any(p.code == "forbidden" for p in error.problems):
            raise
        messages.error(request, " ".join(p.message for p in error.problems))
    else:
        messages.success(request, f"Смена № {shift.pk} закрыта.")
    return redirect("cash_shift_detail", shift_id=shift.pk)
