"""The workplace's pages: sign-in, the health check and the search page (more views in card.py's callers)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


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


def search(request):
    query = request.GET.get("q", "").strip()
    return render(request, "workplace/search.html", {"title": "Поиск лицевого счёта", "query": query, "results": []})
