"""The navigation of the operator's layout, by task: one list, edited to add a section.

Each entry names a URL (``url_name``) and the permission a user needs to see it (``None``: every
signed-in user; ``"staff"``: staff users, who may open the admin). An entry whose URL is not routed
(yet) is left out, so a section appears as soon as its views are added under that name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    title: str
    url_name: str
    permission: str | None = None


NAV = [
    NavItem("Поиск / Лицевые счета", "workplace:search"),
    NavItem("Касса", "cash_desk", "access.take_payment"),
    NavItem("Платежи и реестры", "office:payments", "access.import_registry"),
    NavItem("Периоды и расчёт", "office:periods", "access.calculate_period"),
    NavItem("Отчёты", "office:reports", "access.view_reports"),
    NavItem("Должники", "office:debtors"),
    NavItem("Справочники", "admin:index", "staff"),
]


def may_see(user, item: NavItem) -> bool:
    if item.permission is None:
        return True
    if item.permission == "staff":
        return bool(user.is_staff)
    return user.has_perm(item.permission)


def entries(user, path: str) -> list[dict]:
    """The entries this user may see, each with its URL and whether the current page is in it."""
    shown = []
    for item in NAV:
        if not may_see(user, item):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        shown.append({"title": item.title, "url": url, "active": path == url or (url != "/" and path.startswith(url))})
    if not any(entry["active"] for entry in shown) and path.startswith("/accounts/") and shown:
        shown[0]["active"] = True  # an account card belongs to the search section
    return shown
