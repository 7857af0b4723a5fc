"""``raschet simulate tariff|norm ...``: what a change from a date would do to a period, nothing posted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from raschet.billing.simulation import WhatIf, simulate, write_xlsx
from raschet.domain.money import dec
from raschet.domain.periods import Period
from raschet.housing.models import Building


class Command(BaseCommand):
    help = "Имитация: что будет с начислениями, если изменить тариф или норматив с даты (ничего не проводится)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="ЧТО")
        for name, text in (("tariff", "тариф"), ("norm", "норматив")):
            what = sub.add_parser(name, help=f"изменить {text}")
            what.add_argument("--period", required=True, help="рассчитываемый период ГГГГ-ММ")
            what.add_argument("--service", required=True, help="код услуги")
            what.add_argument("--value", required=True, help="новое значение")
            what.add_argument("--from", dest="valid_from", required=True, help="действует с ГГГГ-ММ-ДД")
            what.add_argument("--building", help="код дома (по умолчанию для всех)")
            what.add_argument("--xlsx", help="сохранить итоги и расшифровку в Excel")
            if name == "tariff":
                what.add_argument("--supplier", required=True, help="код поставщика")
                what.add_argument("--zone", default="total", help="зона суток")
            else:
                what.add_argument("--kind", default="individual", help="individual или common")
                what.add_argument("--basis", default="person", help="person, area или common_area")

    def handle(self, *args, what: str, period: str, service: str, value: str, valid_from: str,
               building: str | None, xlsx: str | None, **options) -> None:
        building_id = Building.objects.get(code=building).pk if building else None
        key = {"service": service, "building_id": building_id}
        if what == "tariff":
            key |= {"supplier": options["supplier"], "zone": options["zone"]}
        else:
            key |= {"kind": options["kind"], "basis": options["basis"]}
        change = WhatIf("tariffs" if what == "tariff" else "norms", key, {"value": dec(value)},
                        date.fromisoformat(valid_from))
        result = simulate(change, Period.parse(period))
        title = f"Имитация: {what} {service} = {value} с {valid_from}, период {period}"
        self.stdout.write(title)
        for column, label in (("service", "услуга"), ("supplier", "поставщик"), ("building", "дом")):
            for row in result.by(column).iter_rows(named=True):
                self.stdout.write(f"  {label} {row[column]}: было {row['before']}, станет {row['after']}, "
                                  f"разница {row['difference']} ({row['accounts']} ЛС)")
        total = sum(result.detail["difference"].to_list(), Decimal(0))
        self.stdout.write(f"Итого разница: {total} ₽ по {result.detail['account_id'].n_unique()} лицевым счетам")
        if xlsx:
            write_xlsx(result, Path(xlsx), title)
            self.stdout.write(f"Расшифровка сохранена в {xlsx}")
