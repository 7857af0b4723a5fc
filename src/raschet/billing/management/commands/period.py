"""``raschet period status|post|close [--period YYYY-MM]``: the life of a billing period."""

from __future__ import annotations

import sys

from django.core.management.base import CommandParser

from raschet.billing.models import BillingPeriod, RecalcMark
from raschet.billing.services import close_period, post_period
from raschet.commandline import ProjectCommand, actor_from, add_user_argument, as_period, period_arg
from raschet.domain.errors import ProblemsError
from raschet.domain.periods import Period


class Command(ProjectCommand):
    help = "Расчётные периоды: status — состояние; post — провести начисления; close — закрыть период."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        sub.add_parser("status", help="состояние периодов и ожидающие перерасчёты")
        for name, text in (("post", "провести рассчитанные начисления"), ("close", "закрыть период")):
            action = sub.add_parser(name, help=text)
            action.add_argument("--period", required=True, type=period_arg, help="ГГГГ-ММ")
            add_user_argument(action)

    def handle(self, *args, action: str, period: Period | None = None, user: str | None = None, **options) -> None:
        if action == "status":
            for row in BillingPeriod.objects.all()[:24]:
                self.stdout.write(f"{row.period}  {row.get_state_display()}")
            pending = RecalcMark.objects.count()
            self.stdout.write(f"Ожидают перерасчёта: {pending} (лицевой счёт, период)")
            return
        target = as_period(period)
        try:
            done = (post_period if action == "post" else close_period)(period=target, actor=actor_from(user))
        except ProblemsError as error:
            for item in error.problems:
                self.stderr.write(item.message)
            sys.exit(2)
        verb = "проведён" if action == "post" else "закрыт"
        self.stdout.write(f"Период {target} {verb}; проводок записано: {done}.")
