"""The account card's pages: the card itself (read-first), its tabs and a month's lines as htmx
fragments; each tab also opens as a whole page (``?tab=…``) without JavaScript."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from raschet.domain.periods import Period
from raschet.housing.models import Account
from raschet.workplace import card, card_sections

TABS = {
    "charges": "Начисления", "payments": "Платежи", "meters": "Приборы учёта", "people": "Проживающие и площадь",
    "documents": "Документы", "debt": "Долг", "audit": "Изменения",
}


def _account(number: str) -> Account:
    return get_object_or_404(Account.objects.select_related("premises__building"), number=number)


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as error:
        raise Http404(str(error)) from None


def tab_context(account: Account, tab: str) -> dict:
    if tab == "charges":
        rows = card.months(account)
        latest = rows[0].period if rows else None
        return {"months": rows, "change": card.bill_change(account, latest, rows) if latest else None, "latest": latest}
    if tab == "payments":
        return {"payments": card_sections.payments(account)}
    if tab == "meters":
        return {"meters": card_sections.meters(account), "today": timezone.localdate()}
    if tab == "people":
        return {"people": card_sections.people(account)}
    if tab == "documents":
        return {"documents": card_sections.documents(account)}
    if tab == "audit":  # who changed what and when (django-auditlog, raschet.backoffice.audit)
        from raschet.backoffice.audit import history_of

        return {"changes": history_of(account)}
    return {"cases": card_sections.debt_cases(account)}


def card_page(request, number: str):
    account = _account(number)
    tab = request.GET.get("tab", "charges")
    if tab not in TABS:
        tab = "charges"
    context = {"title": f"Лицевой счёт {account.number}", "account": account, "tabs": TABS, "tab": tab,
               "head": card.header(account, timezone.localdate()), **tab_context(account, tab)}
    return render(request, "workplace/card.html", context)


def card_tab(request, number: str, tab: str):
    if tab not in TABS:
        raise Http404("Нет такого раздела карточки.")
    account = _account(number)
    return render(request, f"workplace/card/{tab}.html", {"account": account, "tab": tab, **tab_context(account, tab)})


def card_month(request, number: str, period: str):
    account = _account(number)
    month = _period(period)
    return render(request, "workplace/card/month.html", {
        "account": account, "period": month, "groups": card.month_groups(account, month),
        "change": card.bill_change(account, month)})
