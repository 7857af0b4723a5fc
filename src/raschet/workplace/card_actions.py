"""What the operator changes from the card: readings (refused when they are wrong, confirmed when
they look implausible), dated characteristics (a new version from a date), and the document's PDF.
Every change goes through its app's service, which checks the permission itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from raschet.documents.models import PaymentDocument
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period
from raschet.housing.services import set_area, set_residents
from raschet.metering.models import Meter
from raschet.metering.services import enter_reading, replace_meter
from raschet.workplace import card_sections
from raschet.workplace.card_views import _account, tab_context


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _plain(text: str) -> str:
    """«1 234,5» as typed → «1234.5» for the services' own checks."""
    return (text or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")


def _meter_block(request, account, meter: Meter, **extra) -> HttpResponse:
    view = next(v for v in card_sections.meters(account) if v.meter.pk == meter.pk)
    context = {"account": account, "view": view, "today": timezone.localdate(), **extra}
    if not request.htmx:
        return render(request, "workplace/card.html", {**context, **_card_context(request, account, "meters")})
    return render(request, "workplace/card/meter.html", context)


def _card_context(request, account, tab):
    from raschet.workplace import card
    from raschet.workplace.card_views import TABS

    return {"title": f"Лицевой счёт {account.number}", "tabs": TABS, "tab": tab,
            "head": card.header(account, timezone.localdate()), **tab_context(account, tab)}


def _save_readings(request, meter: Meter, on: date, values: dict[str, str], declared: str) -> None:
    if declared == "replacement":
        replace_meter(meter=meter, on=on, initial=values, serial=request.POST.get("new_serial", ""),
                      user=request.user)
        return
    for zone, value in values.items():
        enter_reading(meter=meter, on=on, value=value, zone=zone, user=request.user,
                      confirmed=request.POST.get("confirmed") == "1", declared=declared)


@require_POST
def reading(request, number: str, meter_id: int):
    account = _account(number)
    meter = get_object_or_404(Meter, pk=meter_id, premises_id=account.premises_id)
    on = _date(request.POST.get("on", ""))
    values = {zone: _plain(request.POST.get(f"value_{zone}", "")) for zone in meter.zone_list()}
    declared = request.POST.get("declared", "")
    keep = {"entered": values, "entered_on": on, "declared": declared, "new_serial": request.POST.get("new_serial", "")}
    if on is None or on > timezone.localdate():
        return _meter_block(request, account, meter, notice={"kind": "bad", "text": "Укажите дату показания: "
                            "не позже сегодняшнего дня, в формате ДД.ММ.ГГГГ."}, **keep)
    try:
        _save_readings(request, meter, on, values, declared)
    except ProblemsError as error:
        implausible = all(p.code == "implausible_reading" for p in error.problems)
        text = " ".join(p.message for p in error.problems)
        if implausible:
            text += " Если показание верное, нажмите «Подтвердить показание»."
        elif any(p.code == "readings_backwards" for p in error.problems):
            text += " Здесь же можно отметить: «счётчик перешёл через ноль» или «замена прибора»."
        return _meter_block(request, account, meter, notice={"kind": "warn" if implausible else "bad", "text": text},
                            confirm=implausible, **keep)
    saved = "Прибор заменён, начальное показание нового сохранено." if declared == "replacement" else \
        f"Показание на {on:%d.%m.%Y} сохранено."
    meter.refresh_from_db()
    if declared == "replacement":
        meter = Meter.objects.filter(premises_id=account.premises_id, service_id=meter.service_id,
                                     installed=on).order_by("-id").first() or meter
    return _meter_block(request, account, meter, notice={"kind": "ok", "text": saved})


@require_POST
def dated(request, number: str, kind: str):
    account = _account(number)
    on = _date(request.POST.get("valid_from", ""))
    text = _plain(request.POST.get("value", ""))
    notice = None
    try:
        value = Decimal(text)
        if on is None:
            raise ValueError
        if kind == "area":
            set_area(premises=account.premises, value=value, valid_from=on, actor=request.user)
        elif kind == "residents":
            if value != value.to_integral():
                raise ValueError
            set_residents(account=account, count=int(value), valid_from=on, actor=request.user)
        else:
            raise Http404("Нет такой характеристики.")
        notice = {"kind": "ok", "text": f"Новое значение {text} действует с {on:%d.%m.%Y}; прежнее — до этой даты."}
    except (InvalidOperation, ValueError):
        notice = {"kind": "bad", "text": "Укажите число (площадь — например 54,3; проживающих — целое) и дату, "
                                         "с которой оно действует."}
    except ProblemsError as error:
        notice = {"kind": "bad", "text": " ".join(p.message for p in error.problems)}
    context = {"account": account, "tab": "people", "notice": notice, **tab_context(account, "people")}
    if not request.htmx:
        return redirect(f"/accounts/{account.number}/?tab=people")
    return render(request, "workplace/card/people.html", context)


def document_pdf(request, number: str, document_id: int):
    account = _account(number)
    document = get_object_or_404(PaymentDocument, pk=document_id, account=account)
    answer = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    answer["Content-Disposition"] = f'inline; filename="epd-{account.number}-{document.period}-v{document.version}.pdf"'
    return answer


def _last_posted() -> Period | None:
    from raschet.billing.models import BillingPeriod, PeriodState

    code = (BillingPeriod.objects.filter(state__in=[PeriodState.POSTED, PeriodState.CLOSED]).order_by("-period")
            .values_list("period", flat=True).first())
    return Period.parse(code) if code else None


@require_POST
def issue_document(request, number: str):
    """The account's document of the last posted month through the documents' own service (issued
    now if its figures changed since the latest version), then its PDF."""
    from raschet.documents.services import issue_account

    account = _account(number)
    period = _last_posted()
    try:
        if period is None:
            raise ProblemsError([])
        document, _fresh = issue_account(account_number=account.number, period=period, actor=request.user)
    except ProblemsError as error:
        text = " ".join(p.message for p in error.problems) or "Нет проведённого периода: документ выпускается после проведения."
        context = {"account": account, "tab": "documents", "notice": {"kind": "bad", "text": text},
                   **tab_context(account, "documents")}
        return render(request, "workplace/card/documents.html", context)
    return redirect("workplace:card_document", number=account.number, document_id=document.pk)
