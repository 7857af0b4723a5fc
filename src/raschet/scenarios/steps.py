"""Dated lists of a scenario as step series (scenario-format.md, "Dated lists").

An entry of a dated list is in force from its ``valid_from`` until the next entry's ``valid_from``
in the same series (the last one open-ended), unless it gives its own ``valid_to``. A series is
the whole list for ``area``, ``residents`` and ``key_rates``; for ``tariffs``, ``norms`` and
``rules`` each group of entries with the same key; for an account's ``services`` each service
(a change of supplier is a step). Two entries of one series starting on the same day, or an
explicit range reaching past the start of the next entry, are errors with their JSON paths.

The database keeps explicit half-open intervals, so the scenario's steps are turned into them
here, once, for the checker (``validate``), the loader and the ``change`` steps alike: all
three read a list the same way. The reading itself is ``domain.series.step_ends`` (the admin's
inline lists of dated rows use it too); this module adds the scenario's keys and JSON paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from raschet.domain.errors import Problem, ProblemsError, problem
from raschet.domain.series import step_ends
from raschet.scenarios.schema import json_path

Path = tuple
Key = Callable[[dict], tuple]


def _whole(_item: dict) -> tuple:
    return ()


KEYS: dict[str, Key] = {
    "tariffs": lambda t: (t["service"], t["supplier"], t.get("zone") or "total", t.get("band"), t.get("building")),
    "norms": lambda n: (n["service"], n["kind"], n["basis"], n.get("building")),
    "rules": lambda r: (r["service"], r.get("building"), r.get("account")),
    "key_rates": _whole,
    "area": _whole,
    "residents": _whole,
    "services": lambda s: (s["service"],),
}
WHAT = {"tariffs": "тарифа", "norms": "норматива", "rules": "правила расчёта", "key_rates": "ключевой ставки",
        "area": "площади помещения", "residents": "числа проживающих", "services": "подключения услуги"}
TOP_LEVEL = ("tariffs", "norms", "rules", "key_rates")


def key(name: str, item: dict) -> tuple:
    """The series an entry of list ``name`` belongs to."""
    return KEYS[name](item)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(str(text)) if text else None


def _series_ends(rows: list[tuple[Path, tuple, dict]], what: str) -> tuple[list[date | None], list[Problem]]:
    """The end of each row (its own ``valid_to``, else the next start of its series, else None)
    and the problems of the rows; ``rows`` are ``(path, key, item)``."""
    dated = [(group, _date(item["valid_from"]), _date(item.get("valid_to"))) for _path, group, item in rows]
    ends, issues = step_ends(dated)
    found = []
    for issue in issues:
        later_path, item = json_path(rows[issue.later][0]), rows[issue.later][2]
        if issue.kind == "invalid_range":
            found.append(problem("invalid_range", json_path((*rows[issue.later][0], "valid_to")), field="valid_to",
                                 start=item["valid_from"], end=item["valid_to"]))
            continue
        first = json_path(rows[issue.earlier][0])
        found.append(problem(issue.kind, later_path, what=what, first=first, second=later_path,
                             date=item["valid_from"]))
    return ends, found


def series_problems(rows: Iterable[tuple[Path, tuple, dict]], what: str) -> list[Problem]:
    """Problems of dated rows ``(path, key, item)``: inverted ranges, same starts, overlaps."""
    return _series_ends(list(rows), what)[1]


def list_problems(name: str, items: list[dict], path: Path) -> list[Problem]:
    """Problems of the dated list ``name`` found at JSON ``path``."""
    rows = [((*path, index), key(name, item), item) for index, item in enumerate(items)]
    return series_problems(rows, WHAT[name])


def resolved(name: str, items: list[dict], path: Path = ()) -> list[dict]:
    """Copies of the entries with ``valid_to`` filled in as the contract reads it (ISO text, or None
    for the open-ended last step); raises ``ProblemsError`` for a list the checker would refuse."""
    rows = [((*path, index), key(name, item), item) for index, item in enumerate(items)]
    ends, found = _series_ends(rows, WHAT[name])
    if found:
        raise ProblemsError(found)
    return [{**item, "valid_to": end.isoformat() if end else None} for item, end in zip(items, ends, strict=True)]


def resolve_scenario(data: dict) -> dict:
    """The scenario with every dated list resolved (a new document; ``data`` is not changed)."""
    out = {**data, **{name: resolved(name, data.get(name, []), (name,)) for name in TOP_LEVEL}}
    buildings = []
    for b, building in enumerate(data["buildings"]):
        premises_list = []
        for p, premises in enumerate(building["premises"]):
            ppath = ("buildings", b, "premises", p)
            accounts = [{**account,
                         "residents": resolved("residents", account["residents"], (*ppath, "accounts", a, "residents")),
                         "services": resolved("services", account["services"], (*ppath, "accounts", a, "services"))}
                        for a, account in enumerate(premises["accounts"])]
            premises_list.append({**premises, "area": resolved("area", premises["area"], (*ppath, "area")),
                                  "accounts": accounts})
        buildings.append({**building, "premises": premises_list})
    out["buildings"] = buildings
    return out


CHANGE_LISTS = {"account": ("residents", "services"), "premises": ("area",)}


def change_problems(data: dict) -> list[Problem]:
    """Problems of the dated lists that the timeline's ``change`` steps replace."""
    found: list[Problem] = []
    for index, step in enumerate(data.get("timeline", [])):
        change = step.get("change") if isinstance(step, dict) else None
        if not isinstance(change, dict):
            continue
        path = ("timeline", index, "change")
        owner = next((name for name in CHANGE_LISTS if name in change), None)
        names = CHANGE_LISTS[owner] if owner else () if {"building", "meter"} & change.keys() else TOP_LEVEL
        for name in names:
            items = change.get(name)
            if _dated_list(items):
                found += list_problems(name, items, (*path, name))
    return found


def _dated_list(items: object) -> bool:
    """A list whose entries can be read as dated entries (the schema does not cover ``change``)."""
    return isinstance(items, list) and all(isinstance(i, dict) and isinstance(i.get("valid_from"), str)
                                           for i in items)
