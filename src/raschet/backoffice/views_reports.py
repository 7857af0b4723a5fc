"""The back office's reports with filters, a chart where a chart says more, and Excel export
(``?export=xlsx`` on the same filters): turnover sheet, debt ageing, collections by supplier."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from raschet import access
from raschet.access.decorators import permission_required
from raschet.backoffice import charts, reports
from raschet.backoffice.periods import next_period
from raschet.billing.turnover import GROUPS, totals
from raschet.domain.periods import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_NAMES = {"account": "по лицевым счетам", "building": "по домам", "service": "по услугам",
               "supplier": "по поставщикам"}


def _period(request, name: str, default: Period) -> tuple[Period, str]:
    text = request.GET.get(name, "").strip()
    if not text:
        return default, ""
    try:
        return Period.parse(text), ""
    except ValueError as error:
        return default, f"Поле «{name}»: {error}"


def _day(request, name: str, default: date) -> tuple[date, str]:
    text = request.GET.get(name, "").strip()
    try:
        return (date.fromisoformat(text) if text else default), ""
    except ValueError:
        return default, f"Поле «{name}»: неверная дата «{text}», ожидается ГГГГ-ММ-ДД, например 2026-03-01."


def _xlsx(content: bytes, name: str) -> HttpResponse:
    answer = HttpResponse(content, content_type=XLSX)
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


@permission_required(access.VIEW_REPORTS)
def report_index(request):
    return render(request, "backoffice/reports.html", {"title": "Отчёты"})


@permission_required(access.VIEW_REPORTS)
def turnover(request):
    latest = next_period().previous()
    first, error_first = _period(request, "first", latest)
    last, error_last = _period(request, "last", first)
    by = request.GET.get("by", "service")
    by = by if by in GROUPS else "service"
    rows = reports.turnover(first, last, by, actor=request.user)
    span = f"{first}" if first == last else f"{first}–{last}"
    title = f"Оборотно-сальдовая ведомость за {span} {GROUP_NAMES[by]}"
    if request.GET.get("export") == "xlsx":
        return _xlsx(reports.turnover_xlsx(rows, title), f"osv-{first}-{last}-{by}.xlsx")
    chart = charts.bars([(r.name, [r.charged + r.recalculated, r.paid]) for r in rows[:15]],
                        ["Начислено с перерасчётом", "Оплачено"], title) if by != "account" else ""
    return render(request, "backoffice/report_turnover.html",
                  {"rows": rows[:1000], "more": max(0, len(rows) - 1000), "sums": totals(rows), "first": first,
                   "last": last, "by": by, "groups": GROUP_NAMES, "chart": chart, "title": title,
                   "errors": [e for e in (error_first, error_last) if e]})


@permission_required(access.VIEW_REPORTS)
def ageing(request):
    as_of, error = _period(request, "as_of", next_period().previous())
    building = request.GET.get("building", "").strip()
    rows = reports.debt_ageing(as_of, building, actor=request.user)
    title = f"Возраст задолженности на конец {as_of}" + (f", дом {building}" if building else "")
    if request.GET.get("export") == "xlsx":
        return _xlsx(reports.ageing_xlsx(rows, title), f"debt-ageing-{as_of}.xlsx")
    chart = charts.bars([(r.bucket, [r.amount]) for r in rows], ["Долг, ₽"], title)
    return render(request, "backoffice/report_ageing.html",
                  {"rows": rows, "as_of": as_of, "building": building, "chart": chart, "title": title,
                   "total": sum((r.amount for r in rows), reports.Decimal("0.00")),
                   "accounts": sum(r.accounts for r in rows), "errors": [error] if error else []})


@permission_required(access.VIEW_REPORTS)
def collections(request):
    today = timezone.localdate()
    first, error_first = _day(request, "first", today.replace(day=1))
    last, error_last = _day(request, "last", today)
    errors = [e for e in (error_first, error_last) if e]
    if last < first:
        errors.append("Конец периода раньше начала: поменяйте даты местами.")
        last = first
    if (last - first) > timedelta(days=366):
        errors.append("Период отчёта больше года: показан год с его начала.")
        last = first + timedelta(days=366)
    suppliers, days = reports.collections(first, last, actor=request.user)
    title = f"Сборы и перечисления поставщикам с {first:%d.%m.%Y} по {last:%d.%m.%Y}"
    if request.GET.get("export") == "xlsx":
        return _xlsx(reports.collections_xlsx(days, title), f"collections-{first}-{last}.xlsx")
    chart = charts.bars([(r.supplier, [r.collected, r.to_transfer]) for r in suppliers],
                        ["Собрано", "К перечислению"], title)
    return render(request, "backoffice/report_collections.html",
                  {"suppliers": suppliers, "days": days[:500], "first": first, "last": last, "chart": chart,
                   "title": title, "errors": errors,
                   "total": [sum((getattr(r, f) for r in suppliers), reports.Decimal("0.00"))
                             for f in ("collected", "commission", "to_transfer")]})
