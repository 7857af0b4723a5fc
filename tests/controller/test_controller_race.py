"""Two syncs of the same entry at the same moment (a phone retrying while its first request is still
being served): the reading is stored once and both get the same answer."""

import threading
from datetime import date

import pytest
from django.db import connections

from raschet.controller.models import SyncEntry
from raschet.controller.services import EntryIn, sync_entry
from raschet.metering.models import Meter, Reading, ReadingSource

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = date(2026, 3, 20)  # the walk's day (conftest.TODAY)


def test_the_same_entry_sent_twice_at_once_is_stored_once(walk, controller):
    entry = EntryIn(client_id="race-0001-reading", kind="reading", route=walk.pk, on=TODAY, value="130.5",
                    meter=Meter.objects.get(code="W-CW-1").pk, sheet_taken_at=walk.sheet_taken_at)
    answers, start = [], threading.Barrier(2)

    def send():
        try:
            start.wait()
            answers.append(sync_entry(entry, actor=controller, today=TODAY, now=walk.sheet_taken_at))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2
    assert sorted(answer["replayed"] for answer in answers) == [False, True]
    assert {**answers[0], "replayed": None} == {**answers[1], "replayed": None}
    assert answers[0]["status"] == "accepted"
    assert Reading.objects.filter(source=ReadingSource.CONTROLLER).count() == 1 and SyncEntry.objects.count() == 1
