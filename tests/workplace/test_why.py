"""«Why did the bill change»: each cause recognised, and the parts always add up to the difference."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from raschet.workplace.why import MonthBill, ServiceMonth, explain_change, kopecks


def water(volume, tariff, source="meter", residents=3, area=D("50")):
    return ServiceMonth("Холодная вода", kopecks(D(volume) * D(tariff)), D(volume), D(tariff), source, "м³",
                        residents, area)


def causes(change):
    return {cause: amount for cause, _name, amount in change.by_cause()}


def test_a_new_tariff_alone_is_the_tariff():
    change = explain_change(MonthBill({"cw": water("10", "50")}), MonthBill({"cw": water("10", "55")}))
    assert change.difference == D("50.00")
    assert causes(change) == {"tariff": D("50.00")}
    assert "тариф 50 → 55 ₽ за м³ при объёме 10 м³: +50,00 ₽" in change.parts[0].text


def test_more_water_is_the_volume_and_both_together_split_exactly():
    change = explain_change(MonthBill({"cw": water("10", "50")}), MonthBill({"cw": water("12.5", "52.3")}))
    assert causes(change) == {"tariff": D("28.75"), "volume": D("125.00")}
    assert sum(p.amount for p in change.parts) == change.difference == D("153.75")


def test_a_norm_per_person_follows_the_residents():
    before = water("1.8", "50", source="norm", residents=3)
    after = water("2.4", "50", source="norm", residents=4)
    change = explain_change(MonthBill({"cw": before}), MonthBill({"cw": after}))
    assert causes(change) == {"residents": D("30.00")}
    assert "проживающих 3 → 4" in change.parts[0].text


def test_a_rate_per_square_metre_follows_the_area():
    before = ServiceMonth("Содержание", D("1108.00"), D("50"), D("22.16"), "area", "м²", 2, D("50"))
    after = ServiceMonth("Содержание", D("1329.60"), D("60"), D("22.16"), "area", "м²", 2, D("60"))
    assert causes(explain_change(MonthBill({"k": before}), MonthBill({"k": after}))) == {"area": D("221.60")}


def test_meter_to_average_is_a_method_switch():
    change = explain_change(MonthBill({"cw": water("10", "50")}), MonthBill({"cw": water("8", "50", "average")}))
    assert causes(change) == {"method": D("-100.00")}
    assert "по показаниям прибора → по среднемесячному объёму" in change.parts[0].text


def test_recalculation_penalties_and_services_that_come_and_go():
    before = MonthBill({"cw": water("10", "50"), "gas": ServiceMonth("Газ", D("300.00"))}, D("0"), D("12.30"))
    after = MonthBill({"cw": water("10", "50"), "tv": ServiceMonth("Антенна", D("150.00"))}, D("-40.00"), D("20.00"))
    change = explain_change(before, after)
    assert causes(change) == {"recalc": D("-40.00"), "penalty": D("7.70"), "other": D("-150.00")}
    assert change.difference == D("-182.30") == sum(p.amount for p in change.parts)


def test_no_change_no_parts():
    bill = MonthBill({"cw": water("10", "50")})
    assert explain_change(bill, bill).parts == []


money = st.decimals(min_value=D("-5000"), max_value=D("50000"), places=2, allow_nan=False, allow_infinity=False)
volumes = st.decimals(min_value=D("0"), max_value=D("1000"), places=6, allow_nan=False, allow_infinity=False)
tariffs = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("3000"), places=4, allow_nan=False,
                                           allow_infinity=False))
service = st.builds(ServiceMonth, name=st.sampled_from(["ХВС", "ГВС", "Отопление"]), amount=money, volume=volumes,
                    tariff=tariffs, source=st.sampled_from(["meter", "average", "norm", "area", "average+meter"]),
                    unit=st.just("м³"), residents=st.one_of(st.none(), st.integers(0, 9)),
                    area=st.one_of(st.none(), volumes))
bills = st.builds(MonthBill, services=st.dictionaries(st.sampled_from(["cw", "hw", "heat", "el"]), service, max_size=4),
                  recalculated=money, penalties=money)


@given(bills, bills)
def test_the_parts_always_add_up_exactly_to_the_difference(before, after):
    change = explain_change(before, after)
    assert sum((p.amount for p in change.parts), D(0)) == change.difference == after.total - before.total
    assert all(p.amount == p.amount.quantize(D("0.01")) and p.amount != 0 for p in change.parts)
    assert sum(amount for _c, _n, amount in change.by_cause()) == change.difference
