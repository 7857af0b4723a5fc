"""Keeping the search index (:class:`raschet.workplace.models.SearchEntry`) in step with the data.

* :func:`reindex` — set-based, in chunks of accounts by id: all accounts, or only those without an
  entry (after a bulk load: the generator and the demo call it; ``raschet search reindex``);
* :func:`top_up` — before a search, two index look-ups (the largest account id and the largest
  indexed one) tell whether accounts were appended in bulk since; those are indexed then;
* signals — an account, premises, building or meter saved through the ORM (the admin, the card's
  edits, services) re-indexes the accounts it shows in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models.signals import post_save

from raschet.housing.models import Account, Building, Premises
from raschet.metering.models import Meter
from raschet.workplace.models import SearchEntry
from raschet.workplace.search import entry_text

CHUNK = 20_000

_ACCOUNTS = """SELECT a.id, a.number, a.payer, a.phone, b.address, p.number, a.premises_id
               FROM housing_account a JOIN housing_premises p ON p.id = a.premises_id
               JOIN housing_building b ON b.id = p.building_id
               WHERE a.id > %s {extra} ORDER BY a.id LIMIT %s"""
_MISSING = "AND NOT EXISTS (SELECT 1 FROM workplace_searchentry s WHERE s.account_id = a.id)"


def _serials(account_ids: list[int], premises_ids: list[int]) -> tuple[dict, dict]:
    by_account, by_premises = defaultdict(list), defaultdict(list)
    rows = (Meter.objects.filter(account_id__in=account_ids).exclude(serial="").order_by("id")
            .values_list("account_id", "serial"))
    for account_id, serial in rows:
        by_account[account_id].append(serial)
    shared = Meter.objects.filter(account__isnull=True, premises_id__in=premises_ids).exclude(serial="")
    for premises_id, serial in shared.order_by("id").values_list("premises_id", "serial"):
        by_premises[premises_id].append(serial)
    return by_account, by_premises


def _entries(rows: list[tuple]) -> list[SearchEntry]:
    by_account, by_premises = _serials([r[0] for r in rows], sorted({r[6] for r in rows}))
    return [SearchEntry(account_id=pk, text=entry_text(number, address, flat, payer, phone,
                                                       by_account[pk] + by_premises[premises_id]))
            for pk, number, payer, phone, address, flat, premises_id in rows]


def reindex(*, only_missing: bool = False, after_id: int = 0,
            progress: Callable[[int], None] | None = None) -> int:
    """(Re)build the entries of every account with an id above ``after_id`` (only of those without
    one with ``only_missing``), chunk by chunk; returns how many were written. On PostgreSQL the
    texts are made in SQL (``pg_index``)."""
    if connection.vendor == "postgresql":
        from raschet.workplace import pg_index

        return pg_index.reindex(only_missing=only_missing, after_id=after_id, progress=progress)
    written, last = 0, after_id
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_ACCOUNTS.format(extra=_MISSING if only_missing else ""), [last, CHUNK])
            rows = cursor.fetchall()
        if not rows:
            return written
        with transaction.atomic():
            entries = _entries(rows)
            if not only_missing:
                SearchEntry.objects.filter(account_id__in=[e.account_id for e in entries]).delete()
            SearchEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
        written, last = written + len(rows), rows[-1][0]
        if progress:
            progress(written)


def top_up() -> int:
    """Index the accounts appended since the last indexed one (a bulk load without a reindex)."""
    with connection.cursor() as cursor:  # one round trip: two look-ups of a primary key's end
        cursor.execute("SELECT (SELECT MAX(id) FROM housing_account), (SELECT MAX(account_id) FROM workplace_searchentry)")
        newest, indexed = (value or 0 for value in cursor.fetchone())
    return reindex(only_missing=True, after_id=indexed) if newest > indexed else 0


def refresh(account_ids: Iterable[int]) -> None:
    """Rebuild the entries of these accounts (after an ORM change)."""
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with connection.cursor() as cursor:
            sql = _ACCOUNTS.format(extra=f"AND a.id IN ({', '.join(['%s'] * len(chunk))})")
            cursor.execute(sql, [0, *chunk, len(chunk)])
            rows = cursor.fetchall()
        entries = _entries(rows)
        SearchEntry.objects.filter(account_id__in=chunk).delete()
        SearchEntry.objects.bulk_create(entries, batch_size=5000)


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if sender is Account:
        ids = [instance.pk]
    elif sender is Premises:
        ids = list(Account.objects.filter(premises=instance).values_list("id", flat=True))
    elif sender is Building:
        ids = list(Account.objects.filter(premises__building=instance).values_list("id", flat=True))
    else:
        ids = ([instance.account_id] if instance.account_id else
               list(Account.objects.filter(premises_id=instance.premises_id).values_list("id", flat=True)))
    transaction.on_commit(lambda: refresh(ids))


def connect() -> None:
    for model in (Account, Premises, Building, Meter):
        post_save.connect(_changed, sender=model, dispatch_uid=f"workplace-search-{model.__name__}")
