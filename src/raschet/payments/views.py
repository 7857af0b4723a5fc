"""The cash desk page: the QR fills the form, the cashier takes the money, the allocation is shown."""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from raschet.domain.errors import ProblemsError
from raschet.payments.forms import CashDeskForm
from raschet.payments.models import PaymentSource
from raschet.payments.services import record_payment


@login_required
def cash_desk(request):
    form = CashDeskForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "fill":
            warnings = form.fill_from_qr()
            form = CashDeskForm(form.data) if not form.errors else form
            form.qr_warnings = warnings
        elif form.is_valid():
            return _take_payment(request, form)
    return _page(request, form)


def _page(request, form: CashDeskForm):
    return render(request, "payments/cash_desk.html",
                  {**admin.site.each_context(request), "form": form, "title": "Касса: приём оплаты"})


def _take_payment(request, form: CashDeskForm):
    data = form.cleaned_data
    try:
        payment = record_payment(account_number=data["account"].strip(), paid_on=timezone.localdate(),
                                 amount=data["amount"], named_period=data["period"], source=PaymentSource.CASH,
                                 channel=f"cash:{request.user.username}",
                                 operation_id=request.POST.get("operation_id") or uuid.uuid4().hex, user=request.user)
    except ProblemsError as error:
        for item in error.problems:
            form.add_error(None, item.message)
        return _page(request, form)
    lines = [f"{e.ref_period} {e.service.name if e.service else 'аванс'}: {-e.amount} ₽"
             for e in payment.entries.select_related("service")]
    messages.success(request, f"Принято {payment.amount} ₽ по ЛС {payment.account.number}. Распределено: "
                     + "; ".join(lines))
    return redirect("cash_desk")
