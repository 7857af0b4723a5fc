"""The account card's pages: the card itself and its htmx fragments."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from raschet.housing.models import Account


def card(request, number: str):
    account = get_object_or_404(Account.objects.select_related("premises__building"), number=number)
    return render(request, "workplace/card.html", {"title": f"Лицевой счёт {account.number}", "account": account})
