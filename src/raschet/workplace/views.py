"""The workplace's pages: sign-in, the health check, the search box's answers (the card's views are
in ``card_views``)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from raschet.housing.models import Account
from raschet.workplace.search import find
from raschet.workplace.standing import standings


class SignInView(LoginView):
    template_name = "workplace/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": "Вход"}


@never_cache
def health(request):
    """For a load balancer or a monitor: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _rows(account_ids: list[int]) -> list[dict]:
    accounts = Account.objects.filter(pk__in=account_ids).select_related("premises__building")
    by_id = {account.pk: account for account in accounts}
    money = standings(account_ids)
    return [{"account": by_id[pk], "standing": money[pk]} for pk in account_ids if pk in by_id]


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    context = {"title": "Поиск лицевого счёта", "query": query, "rows": [], "more": False}
    if query:
        plain = query.replace(" ", "")
        exact = (Account.objects.filter(number=plain).values_list("number", flat=True).first()
                 if plain.isalnum() and any(ch.isdigit() for ch in plain) else None)
        if exact:
            return redirect("workplace:card", number=exact)
        found = find(query)
        chosen = found.account_ids if len(found.precise) != 1 else found.precise
        if len(chosen) == 1:
            number = Account.objects.filter(pk=chosen[0]).values_list("number", flat=True).first()
            return redirect("workplace:card", number=number)
        context.update(rows=_rows(found.account_ids), more=found.more, precise=set(found.precise))
    return render(request, "workplace/search.html", context)
