"""The controller's sheet and sync: idempotent replays, conflicts with newer readings, refused readings
with their Russian reasons, foreign routes and meters off the route."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from raschet.controller.demo import demo_walk, grant_walk
from raschet.controller.models import MeterCheck, Seal, SyncEntry
from raschet.controller.services import EntryIn, route_sheet, sync_entries, sync_entry
from raschet.domain.errors import ProblemsError
from raschet.metering.models import Meter, Reading, ReadingSource

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)  # the walk's day (conftest.TODAY)
# the sync's clock (readings are stamped ``entered_at`` by the real one: see conftest's ``walk``)
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def meter(code: str) -> Meter:
    return Meter.objects.get(code=code)


def entry(walk, client_id="c0000001-reading", meter_code="W-CW-1", value="130.5", **fields) -> EntryIn:
    defaults = {"kind": "reading", "on": TODAY, "sheet_taken_at": walk.sheet_taken_at}
    return EntryIn(client_id=client_id, route=walk.pk, meter=meter(meter_code).pk, value=value, **{**defaults, **fields})


def sync(item, user):
    return sync_entry(item, actor=user, today=TODAY, now=NOW)


def test_the_sheet_lists_the_entrance_meters_with_last_reading_and_expected_range(walk, controller):
    sheet = route_sheet(walk.pk, actor=controller, today=TODAY, now=NOW)
    places = sheet["places"]
    assert [p["premises"] for p in places] == ["кв. 1", "кв. 2", "кв. 3", "кв. 4"]  # entrance 2 is off the route
    assert places[0]["entrance"] == 1 and places[0]["accounts"] == ["W1001"]
    zone = places[0]["meters"][0]["zones"][0]
    # 110, 115, 120, 125 over 90 days: 5.067 m³ a month, ten times that is 50.667 (above the 30 m³ floor)
    assert (zone["last_value"], zone["last_date"]) == ("125", "2026-03-10")
    assert (zone["expected_low"], zone["expected_high"]) == ("125", "175.667")
    assert sheet["taken_at"] == NOW.isoformat()


def test_a_reading_is_kept_through_the_reading_check_as_the_controllers(walk, controller):
    answer = sync(entry(walk), controller)
    assert answer["status"] == "accepted" and not answer["replayed"]
    reading = Reading.objects.get(meter__code="W-CW-1", date=TODAY)
    assert reading.value == Decimal("130.5") and reading.source == ReadingSource.CONTROLLER
    assert reading.entered_by == controller
    assert answer["reading"] == {"id": reading.pk, "date": "2026-03-20", "zone": "total", "value": "130.5",
                                 "source": "контролёр"}


def test_a_replay_is_stored_once_and_answered_the_same(walk, controller):
    first = sync(entry(walk), controller)
    again = sync_entries([entry(walk), entry(walk)], actor=controller, today=TODAY, now=NOW + timedelta(hours=2))
    assert Reading.objects.filter(meter__code="W-CW-1", date=TODAY).count() == 1
    assert SyncEntry.objects.count() == 1
    for answer in again:
        assert answer["replayed"] is True
        assert {**answer, "replayed": False} == first


def test_a_reused_client_id_with_other_content_is_refused_and_changes_nothing(walk, controller):
    sync(entry(walk), controller)
    answer = sync(entry(walk, value="131"), controller)
    assert answer["status"] == "refused" and answer["problems"][0]["code"] == "client_id_reused"
    assert Reading.objects.get(meter__code="W-CW-1", date=TODAY).value == Decimal("130.5")


def test_a_refused_reading_comes_back_with_the_russian_reason_and_a_replay_refuses_it_again(walk, controller):
    answer = sync(entry(walk, value="120"), controller)  # below 125 of 10.03
    assert answer["status"] == "refused" and answer["problems"][0]["code"] == "readings_backwards"
    assert "меньше предыдущего 125" in answer["message"]
    assert not Reading.objects.filter(date=TODAY).exists()
    assert sync(entry(walk, value="120"), controller)["message"] == answer["message"]
    implausible = sync(entry(walk, client_id="c0000002-reading", value="900"), controller)
    assert implausible["problems"][0]["code"] == "implausible_reading"


def test_a_later_dated_reading_is_a_conflict_shown_and_not_overwritten(walk, controller):
    Reading.objects.create(meter=meter("W-CW-1"), date=TODAY + timedelta(days=1), value=Decimal("140"),
                           source=ReadingSource.PORTAL)
    answer = sync(entry(walk), controller)
    assert answer["status"] == "conflict" and answer["problems"][0]["code"] == "reading_conflict"
    assert answer["existing"]["value"] == "140" and "датировано позже" in answer["message"]
    assert not Reading.objects.filter(date=TODAY).exists()


def test_a_reading_entered_after_the_sheet_was_taken_is_a_conflict(walk, controller):
    existing = Reading.objects.create(meter=meter("W-CW-1"), date=TODAY, value=Decimal("129"),
                                      source=ReadingSource.PORTAL)
    taken = existing.entered_at - timedelta(minutes=5)
    answer = sync(entry(walk, sheet_taken_at=taken), controller)
    assert answer["status"] == "conflict"
    assert "после того, как вы получили маршрутный лист" in answer["message"]
    assert Reading.objects.get(meter__code="W-CW-1", date=TODAY).value == Decimal("129")
    # the same reading with a sheet taken after it was entered replaces it: the controller saw it
    later = sync(entry(walk, client_id="c0000003-reading", sheet_taken_at=existing.entered_at + timedelta(seconds=1)),
                 controller)
    assert later["status"] == "accepted"
    assert Reading.objects.get(meter__code="W-CW-1", date=TODAY).value == Decimal("130.5")


def test_the_controller_may_correct_their_own_reading_of_the_walk(walk, controller):
    sync(entry(walk), controller)
    answer = sync(entry(walk, client_id="c0000004-reading", value="130.7"), controller)
    assert answer["status"] == "accepted"
    assert Reading.objects.get(meter__code="W-CW-1", date=TODAY).value == Decimal("130.7")


def test_another_controllers_route_is_refused_and_nothing_is_recorded(walk, django_user_model):
    other = django_user_model.objects.create_user("drugoi", password="pw")
    grant_walk(other)
    other = django_user_model.objects.get(pk=other.pk)
    answer = sync(entry(walk), other)
    assert answer["status"] == "refused" and answer["problems"][0]["code"] == "foreign_route"
    assert "назначен другому контролёру" in answer["message"]
    assert not SyncEntry.objects.exists() and not Reading.objects.filter(date=TODAY).exists()
    with pytest.raises(ProblemsError) as refused:
        route_sheet(walk.pk, actor=other, today=TODAY, now=NOW)
    assert refused.value.problems[0].code == "foreign_route"


def test_a_user_without_the_role_is_refused(walk, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw")
    with pytest.raises(ProblemsError) as refused:
        sync_entries([entry(walk)], actor=clerk, today=TODAY, now=NOW)
    assert refused.value.problems[0].code == "forbidden"


@pytest.mark.parametrize(("fields", "code"), [
    ({"meter_code": "W-CW-5"}, "meter_not_on_route"),          # entrance 2
    ({"meter_code": "W-HEAT"}, "meter_not_on_route"),          # the building's meter: the whole building is not on it
    ({"on": TODAY + timedelta(days=1)}, "invalid_value"),      # tomorrow
    ({"on": TODAY - timedelta(days=6)}, "route_not_active"),   # before the route began
    ({"kind": "photo"}, "invalid_value"),
])
def test_entries_off_the_route_or_its_days_are_refused(walk, controller, fields, code):
    answer = sync(entry(walk, **fields), controller)
    assert answer["status"] == "refused" and answer["problems"][0]["code"] == code
    assert not SyncEntry.objects.exists()


def test_meter_checks_and_seals_are_kept_once(walk, controller):
    check = entry(walk, client_id="c0000005-check", kind="check", value="", result="seal_broken", note="сорвана")
    seal = entry(walk, client_id="c0000006-seal", kind="seal", value="", seal_number=" 0012345 ")
    assert [sync(check, controller)["status"], sync(seal, controller)["status"]] == ["accepted", "accepted"]
    assert [sync(check, controller)["replayed"], sync(seal, controller)["replayed"]] == [True, True]
    assert MeterCheck.objects.get().result == "seal_broken"
    assert (Seal.objects.get().number, Seal.objects.get().sealed_on) == ("0012345", TODAY)
    bad = sync(entry(walk, client_id="c0000007-check", kind="check", result="fine"), controller)
    assert bad["status"] == "refused" and "результат проверки" in bad["message"]
    nameless = sync(entry(walk, client_id="c0000008-seal", kind="seal", seal_number="  "), controller)
    assert nameless["problems"][0]["code"] == "missing_field" and MeterCheck.objects.count() == 1


def test_two_walks_do_not_mix(walk, controller, django_user_model):
    other = django_user_model.objects.create_user("drugoi", password="pw")
    second = demo_walk(other, today=TODAY, code="M-02", prefix="Z")
    sheet = route_sheet(walk.pk, actor=controller, today=TODAY, now=NOW)
    codes = {m["code"] for p in sheet["places"] for m in p["meters"]}
    assert codes == {"W-CW-1", "W-CW-2", "W-CW-3", "W-CW-4"} and second.controller == other
