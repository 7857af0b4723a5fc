"""Use cases of payment documents: issue a period's documents for a scope, issue (and get) one account's
document. Each checks its permission first and owns its transactions (see :mod:`.batches`).

A scope is text: empty for every account, or items separated by commas — ``route:КОД``,
``building:КОД``, ``account:НОМЕР``. The same period and scope started again resumes the batch that
did not finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from raschet.documents import batches, sources
from raschet.documents.assemble import Assembler
from raschet.documents.models import (
    BatchStatus,
    BatchUnit,
    DeliveryRoute,
    DocumentBatch,
    PaymentDocument,
    UnitStatus,
)
from raschet.documents.permissions import ISSUE_DOCUMENTS, require, user_of
from raschet.documents.setup import document_setup
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.housing.models import Building

ISSUABLE = ("posted", "closed")
STATE_TEXT = {None: "не рассчитан", "open": "открыт", "calculated": "рассчитан, но не проведён"}


@dataclass(frozen=True)
class Scope:
    text: str
    building_ids: list[int] | None
    account_numbers: list[str] | None


def parse_scope(text: str) -> Scope:
    """``route:R1,building:B0001,account:1000123`` → the buildings and accounts it names."""
    text = ",".join(part.strip() for part in (text or "").split(",") if part.strip())
    if not text:
        return Scope("", None, None)
    buildings: list[int] = []
    accounts: list[str] = []
    for item in text.split(","):
        kind, _, value = item.partition(":")
        if kind == "route":
            route = DeliveryRoute.objects.filter(code=value).first()
            if route is None:
                raise ProblemsError([problem("unknown_scope", item, value=item, reason=f"маршрута {value} нет")])
            buildings += list(route.stops.values_list("building_id", flat=True))
        elif kind == "building":
            found = Building.objects.filter(code=value).values_list("pk", flat=True).first()
            if found is None:
                raise ProblemsError([problem("unknown_scope", item, value=item, reason=f"дома с кодом {value} нет")])
            buildings.append(found)
        elif kind == "account" and value:
            accounts.append(value)
        else:
            raise ProblemsError([problem("unknown_scope", item, value=item, reason="вид охвата не распознан")])
    return Scope(text, buildings, accounts)


def _refuse_unposted(period: Period) -> None:
    state = sources.period_state(period)
    if state not in ISSUABLE:
        raise ProblemsError([problem("period_not_posted", str(period), period=str(period),
                                     state=STATE_TEXT.get(state, state))])


def issue_documents(*, period: Period, scope: str = "", actor=None, issued_on: date | None = None,
                    workers: int | None = None, output_dir: Path | None = None,
                    progress: Callable[[int, int], None] | None = None) -> DocumentBatch:
    """Issue the documents of ``period`` for ``scope``: a new version for each account whose figures
    changed since its last one, the print file of each route, a summary on the batch. ``progress`` is
    told (documents done, documents in all) after each unit."""
    actor = require(actor, ISSUE_DOCUMENTS)
    _refuse_unposted(period)
    document_setup()  # a missing executor or centre is refused before anything is planned
    parsed = parse_scope(scope)
    issued_on = issued_on or timezone.localdate()
    started = time.perf_counter()
    batch = _open_batch(period, parsed, output_dir, user_of(actor))
    units = list(batch.units.order_by("number").values_list("number", "status", "accounts"))
    total = sum(len(accounts) for _, _, accounts in units)
    done = sum(len(accounts) for _, status, accounts in units if status == UnitStatus.DONE)
    if progress:
        progress(done, total)
    pending = [number for number, status, _ in units if status != UnitStatus.DONE]
    user_id = getattr(user_of(actor), "pk", None)
    for summary in batches.dispatch(batch, pending, workers or batches.default_workers(), issued_on, user_id):
        done += summary["documents"] + summary["problems"]
        if progress:
            progress(done, total)
    return _finish(batch, time.perf_counter() - started)


@transaction.atomic
def _open_batch(period: Period, scope: Scope, output_dir: Path | None, user) -> DocumentBatch:
    """The unfinished batch of this period and scope, or a new one with its units planned."""
    running = DocumentBatch.objects.select_for_update().filter(period=str(period), scope=scope.text,
                                                               status=BatchStatus.RUNNING).first()
    if running is not None:
        return running
    placed = sources.accounts_in_scope(period, scope.building_ids, scope.account_numbers)
    if scope.account_numbers:
        unknown = sorted(set(scope.account_numbers) - {p.number for p in placed})
        if unknown:
            raise ProblemsError([problem("unknown_reference", n, kind="лицевой счёт (открытый в периоде)", value=n)
                                 for n in unknown])
    batch = DocumentBatch.objects.create(period=str(period), scope=scope.text, output_dir="", accounts=len(placed),
                                         issued_by=user)
    folder = Path(output_dir) if output_dir else Path(settings.VAR_DIR) / "documents" / f"{period}-{batch.pk}"
    DocumentBatch.objects.filter(pk=batch.pk).update(output_dir=str(folder))
    batches.plan(batch, placed)
    batch.refresh_from_db()
    return batch


def _finish(batch: DocumentBatch, seconds: float) -> DocumentBatch:
    units = list(BatchUnit.objects.filter(batch=batch).values_list("documents", "issued", "pages"))
    issued = PaymentDocument.objects.filter(batch_id=batch.pk).count()
    documents = sum(u[0] for u in units)
    DocumentBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.DONE, finished_at=timezone.now(), issued=issued, unchanged=documents - issued,
        problems=batch.problem_rows.count(),
        timings={**batch.timings, f"run-{len(batch.timings) + 1}": round(seconds, 3),
                 "pages": sum(u[2] for u in units)})
    batch.refresh_from_db()
    return batch


def issue_account(*, account_number: str, period: Period, actor=None, issued_on: date | None = None
                  ) -> tuple[PaymentDocument, bool]:
    """The account's document of the period, issued now if it has none or its figures changed since the
    latest version; returns the latest version and whether it is new."""
    actor = require(actor, ISSUE_DOCUMENTS)
    _refuse_unposted(period)
    placed = sources.accounts_in_scope(period, None, [account_number])
    if not placed:
        raise ProblemsError([problem("unknown_reference", account_number, kind="лицевой счёт (открытый в периоде)",
                                     value=account_number)])
    account_id = placed[0].account_id
    documents, found = Assembler(period, document_setup(), issued_on or timezone.localdate()).build([account_id])
    if found:
        raise ProblemsError([p for _, p in found])
    user = user_of(actor)
    try:
        with transaction.atomic():
            fresh = batches.store_versions(documents, period, None, getattr(user, "pk", None))
    except IntegrityError:  # another process issued this version meanwhile: ours is compared with it
        with transaction.atomic():
            fresh = batches.store_versions(documents, period, None, getattr(user, "pk", None))
    latest = PaymentDocument.objects.filter(account_id=account_id, period=str(period)).order_by("-version").first()
    return latest, bool(fresh)
