"""Pages of the signed-in subscriber. Each calls a use case with ``request.user``; an account the
user has no confirmed link to is answered 404, as if it did not exist."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.portal import paying, readings, services, statement
from raschet.portal.auth_views import problems_to_form
from raschet.portal.forms import AccountCodeForm, DeliveryForm, PayForm, ReadingForm
from raschet.portal.gateway import TestGateway, configured

signed_in = login_required(login_url="portal:login")


def scoped(view):
    """A view of one linked account: signed in, and a missing link is a 404."""

    @signed_in
    @functools.wraps(view)
    def wrapped(request, number: str, *args, **kwargs):
        try:
            return view(request, number, *args, **kwargs)
        except services.NotLinked:
            raise Http404("Нет такого лицевого счёта в вашем кабинете") from None

    return wrapped


@signed_in
def home(request):
    accounts = [statement.summary(user=request.user, account_number=a.number)
                for a in services.accounts_of(request.user)]
    if len(accounts) == 1 and not request.GET.get("all"):
        return redirect("portal:account", accounts[0].number)
    return render(request, "portal/home.html", {"accounts": accounts})


@signed_in
def add_account(request):
    form = AccountCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.add_account(user=request.user, **form.cleaned_data)
        except ProblemsError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Лицевой счёт {link.account.number} добавлен в кабинет.")
            return redirect("portal:account", link.account.number)
    return render(request, "portal/add_account.html", {"form": form})


@scoped
def account(request, number: str):
    user = request.user
    periods = statement.charged_periods(user=user, account_number=number)
    shown = periods[0] if periods else None
    return render(request, "portal/account.html", {
        "summary": statement.summary(user=user, account_number=number), "period": shown, "periods": periods,
        "charges": statement.charges(user=user, account_number=number, period=shown) if shown else [],
        "payments": statement.payments(user=user, account_number=number, last=5), "tab": "account"})


@scoped
def charges(request, number: str, period: str):
    try:
        month = Period.parse(period)
    except ValueError:
        raise Http404("Неверный период") from None
    user = request.user
    return render(request, "portal/charges.html", {
        "summary": statement.summary(user=user, account_number=number), "period": month,
        "periods": statement.charged_periods(user=user, account_number=number),
        "charges": statement.charges(user=user, account_number=number, period=month),
        "change": statement.change(user=user, account_number=number, period=month), "tab": "charges"})


@scoped
def documents(request, number: str):
    return render(request, "portal/documents.html", {
        "summary": statement.summary(user=request.user, account_number=number),
        "documents": statement.documents(user=request.user, account_number=number), "tab": "documents"})


@scoped
def document_pdf(request, number: str, document_id: int):
    name, pdf = statement.document_pdf(user=request.user, account_number=number, document_id=document_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@scoped
def meter_readings(request, number: str):
    user, today, form = request.user, timezone.localdate(), None
    if request.method == "POST":
        form = ReadingForm(request.POST)
        if form.is_valid():
            try:
                reading = readings.submit_reading(user=user, account_number=number, meter_id=form.cleaned_data["meter"],
                                                  value=form.cleaned_data["value"], zone=form.cleaned_data["zone"])
            except ProblemsError as error:
                problems_to_form(form, error, with_subject=True)
            else:
                messages.success(request, f"Показание {reading.value.normalize():f} на {reading.date:%d.%m.%Y} принято.")
                return redirect("portal:readings", number)
    window = readings.window_of(today.year, today.month)
    return render(request, "portal/readings.html", {
        "summary": statement.summary(user=user, account_number=number), "tab": "readings",
        "meters": readings.meters(user=user, account_number=number), "form": form,
        "open": today in window, "window": window, "next": readings.next_window(today)})


@scoped
def pay(request, number: str):
    summary = statement.summary(user=request.user, account_number=number)
    form = PayForm(request.POST or None, initial={"amount": f"{summary.due:.2f}" if summary.due else ""})
    if request.method == "POST" and form.is_valid():
        try:
            _, url = paying.start_payment(user=request.user, account_number=number, amount=form.cleaned_data["amount"])
        except ProblemsError as error:
            problems_to_form(form, error)
        else:
            return redirect(url)
    return render(request, "portal/pay.html", {"summary": summary, "form": form, "gateway": configured(),
                                               "tab": "pay"})


@scoped
def delivery(request, number: str):
    chosen = services.delivery_of(user=request.user, account_number=number)
    form = DeliveryForm(request.POST or None, initial={"channel": chosen.channel, "email": chosen.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_delivery(user=request.user, account_number=number, **form.cleaned_data)
        except ProblemsError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, "Способ доставки документов сохранён.")
            return redirect("portal:delivery", number)
    return render(request, "portal/delivery.html", {
        "summary": statement.summary(user=request.user, account_number=number), "form": form, "tab": "delivery"})


@signed_in
def test_gateway(request, operation_id: str):
    """The test gateway's own page: "pays" (or declines) and calls back as a real gateway would."""
    try:
        order = paying.order_of(user=request.user, operation_id=operation_id)
        gateway = paying.gateway_of(order.gateway)
    except (ProblemsError, services.NotLinked):
        raise Http404("Нет такой оплаты") from None
    if not isinstance(gateway, TestGateway):
        raise Http404("Это не тестовый шлюз")
    if request.method == "POST":
        status = "paid" if request.POST.get("action") == "pay" else "declined"
        order = paying.gateway_callback(gateway_code=gateway.code, notification=gateway.notification(order, status))
        return redirect("portal:paid", order.operation_id)
    return render(request, "portal/test_gateway.html", {"order": order, "gateway": gateway})


@signed_in
def paid(request, operation_id: str):
    try:
        order = paying.order_of(user=request.user, operation_id=operation_id)
    except (ProblemsError, services.NotLinked):
        raise Http404("Нет такой оплаты") from None
    return render(request, "portal/paid.html", {"order": order, "summary": statement.summary(
        user=request.user, account_number=order.account.number)})


@csrf_exempt
@require_POST
def gateway_callback(request, gateway: str):
    """The gateway's server-to-server notification (its signature is what is trusted, not a session)."""
    try:
        order = paying.gateway_callback(gateway_code=gateway, notification=request.POST.dict())
    except ProblemsError as error:
        return HttpResponse("\n".join(p.message for p in error.problems), status=400,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(order.state, content_type="text/plain")
