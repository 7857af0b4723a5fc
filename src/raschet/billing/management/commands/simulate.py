"""``raschet simulate tariff|norm ...``: what a change from a date would do to a period, nothing posted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management.base import CommandParser

from raschet.billing.simulation import WhatIf, simulate, write_xlsx
from raschet.commandline import (
    ProjectCommand,
    actor_from,
    add_user_argument,
    as_date,
    as_period,
    date_arg,
    number_arg,
    output_file_arg,
    period_arg,
)
from raschet.domain import bounds
from raschet.domain.errors import ProblemsError, problem
from raschet.domain.periods import Period
from raschet.housing.models import Building
from raschet.tariffs.models import NormBasis, NormKind, Organization, Service, Zone


class Command(ProjectCommand):
    help = "Имитация: что будет с начислениями, если изменить тариф или норматив с даты (ничего не проводится)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="ЧТО")
        for name, text in (("tariff", "тариф"), ("norm", "норматив")):
            what = sub.add_parser(name, help=f"изменить {text}")
            what.add_argument("--period", required=True, type=period_arg, help="рассчитываемый период ГГГГ-ММ")
            what.add_argument("--service", required=True, help="код услуги")
            what.add_argument("--value", required=True, type=number_arg(bounds.TARIFF if name == "tariff"
                                                                         else bounds.NORM), help="новое значение")
            what.add_argument("--from", dest="valid_from", required=True, type=date_arg, help="действует с ГГГГ-ММ-ДД")
            what.add_argument("--building", help="код дома (по умолчанию для всех)")
            what.add_argument("--xlsx", type=output_file_arg, help="сохранить итоги и расшифровку в Excel")
            add_user_argument(what)
            if name == "tariff":
                what.add_argument("--supplier", required=True, help="код поставщика")
                what.add_argument("--zone", default="total", choices=list(Zone.values), help="зона суток")
            else:
                what.add_argument("--kind", default="individual", choices=list(NormKind.values),
                                  help="individual или common")
                what.add_argument("--basis", default="person", choices=list(NormBasis.values),
                                  help="person, area или common_area")

    def handle(self, *args, what: str, period: Period, service: str, value: Decimal, valid_from: date,
               building: str | None, xlsx: Path | None, user: str | None, **options) -> None:
        period, valid_from = as_period(period), as_date(valid_from)  # call_command may pass them as text
        if not isinstance(value, Decimal):
            value = number_arg(bounds.TARIFF if what == "tariff" else bounds.NORM)(str(value))
        building_id = _known(Building, "code", building, "--building", "дом") if building else None
        _known(Service, "code", service, "--service", "услуга")
        key = {"service": service, "building_id": building_id}
        if what == "tariff":
            _known(Organization, "code", options["supplier"], "--supplier", "поставщик")
            key |= {"supplier": options["supplier"], "zone": options["zone"]}
        else:
            key |= {"kind": options["kind"], "basis": options["basis"]}
        change = WhatIf("tariffs" if what == "tariff" else "norms", key, {"value": value}, valid_from)
        result = simulate(change, period, actor=actor_from(user))
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


def _known(model, field: str, value: str, option: str, kind: str) -> int:
    """The id of the object an option names; an unknown code is refused, never an empty result."""
    found = model.objects.filter(**{field: value}).values_list("pk", flat=True).first()
    if found is None:
        raise ProblemsError([problem("unknown_reference", option, kind=kind, value=value)])
    return found
