"""``raschet claims select|advance|documents|check``: debtor work from the command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from raschet.claims.management.commands.penalties import actor, parse_date, refuse
from raschet.claims.models import Stage
from raschet.domain.errors import ProblemsError, problem


def _rule(name: str):
    from raschet.claims.models import SelectionRule

    rule = SelectionRule.objects.filter(name=name).first()
    if rule is None:
        raise ProblemsError([problem("unknown_reference", "--rule", kind="правило отбора должников", value=name)])
    return rule


def _case(number: str):
    from raschet.claims.models import DebtCase

    case = DebtCase.objects.filter(account__number=number, is_open=True).first()
    if case is None:
        raise ProblemsError([problem("no_open_case", "--account", account=number)])
    return case


class Command(BaseCommand):
    help = ("Работа с должниками: select — отобрать по правилу (--open — открыть дела); advance — перевести дела "
            "на этап; documents — документы текущего этапа; check — просроченные рассрочки и ежемесячные правила.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        select = sub.add_parser("select", help="отобрать должников по сохранённому правилу")
        select.add_argument("--rule", required=True, help="название правила отбора")
        select.add_argument("--open", action="store_true", help="открыть дела отобранным без открытого дела")
        advance = sub.add_parser("advance", help="перевести дело (или дела отбора) на этап")
        target = advance.add_mutually_exclusive_group(required=True)
        target.add_argument("--account", help="номер лицевого счёта")
        target.add_argument("--rule", help="все открытые дела отбора по правилу")
        advance.add_argument("--stage", required=True, choices=[s.value for s in Stage], help="этап")
        advance.add_argument("--service", help="услуга (для предупреждения, ограничения, приостановления)")
        advance.add_argument("--note", default="", help="примечание в историю дела")
        documents = sub.add_parser("documents", help="документы текущего этапа дела (PDF)")
        which = documents.add_mutually_exclusive_group(required=True)
        which.add_argument("--account", help="номер лицевого счёта")
        which.add_argument("--rule", help="все открытые дела отбора по правилу")
        documents.add_argument("--out", default=".", help="папка для файлов")
        sub.add_parser("check", help="просроченные рассрочки вернуть в работу; выполнить ежемесячные правила")
        plan = sub.add_parser("instalment", help="оформить соглашение о рассрочке долга по делу")
        plan.add_argument("--account", required=True, help="номер лицевого счёта")
        plan.add_argument("--number", required=True, help="номер соглашения")
        plan.add_argument("--months", required=True, help="срок, месяцев (1–120)")
        plan.add_argument("--first-period", dest="first_period", required=True, help="первый период платежа ГГГГ-ММ")
        plan.add_argument("--interest", default="0", help="проценты за рассрочку, % годовых (0–100)")
        for command in (select, advance, documents, sub.choices["check"], plan):
            command.add_argument("--on", help="на дату ГГГГ-ММ-ДД (по умолчанию сегодня)")
            command.add_argument("--user", help="от имени пользователя (по умолчанию — система)")

    def handle(self, *args, action: str, **options) -> None:
        from django.utils import timezone

        try:
            text, login = options.pop("on", None), options.pop("user", None)
            on = parse_date(text, "--on") if text else timezone.localdate()
            getattr(self, f"do_{action}")(on=on, who=actor(login), **options)
        except ProblemsError as error:
            refuse(self, error)

    def do_select(self, *, on: date, who, rule: str, open: bool, **options) -> None:
        from raschet.claims.cases import open_cases
        from raschet.claims.selection import select
        from raschet.housing.models import Account

        found = _rule(rule)
        chosen = select(found, on)
        numbers = dict(Account.objects.filter(pk__in=chosen["account_id"].to_list()).values_list("id", "number"))
        for account_id, debt, months, in_case in chosen.iter_rows():
            mark = "в работе" if in_case else ""
            self.stdout.write(f"{numbers[account_id]}  долг {debt / 100:>12.2f} ₽  просрочено мес. {months:>3}  {mark}")
        self.stdout.write(f"Отобрано: {chosen.height}")
        if open:
            self.stdout.write(f"Открыто дел: {len(open_cases(rule=found, on=on, actor=who).done)}")

    def do_advance(self, *, on: date, who, account: str | None, rule: str | None, stage: str, service: str | None,
                note: str, **options) -> None:
        from raschet.claims.cases import advance_case, advance_selection

        if account:
            case = advance_case(case=_case(account), stage=stage, on=on, actor=who, service_code=service, note=note)
            self.stdout.write(f"ЛС {account}: этап «{case.get_stage_display()}», срок {case.deadline or '—'}")
            return
        result = advance_selection(rule=_rule(rule), stage=stage, on=on, actor=who, service_code=service)
        self.stdout.write(f"Переведено дел: {len(result.done)}; отказов: {len(result.problems)}")
        for item in result.problems:
            self.stderr.write(f"{item.subject}: {item.message}")

    def do_documents(self, *, on: date, who, account: str | None, rule: str | None, out: str, **options) -> None:
        from raschet.claims.documents import generate_documents
        from raschet.claims.models import DebtCase
        from raschet.claims.selection import select

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        if account:
            cases = [_case(account)]
        else:
            chosen = select(_rule(rule), on)["account_id"].to_list()
            cases = list(DebtCase.objects.filter(is_open=True, account_id__in=chosen).select_related("account"))
        made = 0
        for case in cases:
            for doc in generate_documents(case=case, on=on, actor=who):
                path = folder / f"{case.account.number}_{doc.kind}_{on:%Y%m%d}.pdf"
                path.write_bytes(bytes(doc.pdf))
                self.stdout.write(f"{doc.get_kind_display()}: {path}")
                made += 1
        if not made:
            self.stdout.write("Для текущего этапа дел документов нет.")

    def do_instalment(self, *, on: date, who, account: str, number: str, months: str, first_period: str,
                      interest: str, **options) -> None:
        from raschet.claims.instalments import create_instalment
        from raschet.claims.management.commands.penalties import parse_period
        from raschet.domain.money import dec

        count = int(months) if months.isdigit() else 0
        if not 1 <= count <= 120:
            raise ProblemsError([problem("invalid_value", "--months", value=months, field="--months",
                                         reason="срок рассрочки — целое число месяцев от 1 до 120")])
        try:
            rate = dec(interest)
        except ValueError:
            rate = None
        if rate is None or not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.0001")):
            raise ProblemsError([problem("invalid_value", "--interest", value=interest, field="--interest",
                                         reason="проценты — число от 0 до 100 (не точнее 0,0001), например 7,5")])
        agreement = create_instalment(case=_case(account), number=number, signed_on=on, months=count,
                                      first_period=parse_period(first_period, "--first-period"),
                                      interest_percent=rate, actor=who)
        self.stdout.write(f"Соглашение № {agreement.number}: {agreement.principal} ₽ на {count} мес., "
                          f"{agreement.interest_percent.normalize():f} % годовых")
        for item in agreement.items.order_by("due_on"):
            self.stdout.write(f"  {item.period}: до {item.due_on:%d.%m.%Y} {item.principal} + {item.interest} ₽, "
                              f"остаток {item.remaining}")

    def do_check(self, *, on: date, who, **options) -> None:
        from raschet.claims.cases import open_cases
        from raschet.claims.instalments import check_instalments
        from raschet.claims.models import SelectionRule

        missed = check_instalments(on=on, actor=who)
        self.stdout.write(f"Просроченных рассрочек (дела возвращены в работу): {len(missed)}")
        for rule in SelectionRule.objects.filter(monthly=True).exclude(last_run_on__year=on.year,
                                                                        last_run_on__month=on.month):
            self.stdout.write(f"Правило «{rule.name}»: открыто дел {len(open_cases(rule=rule, on=on, actor=who).done)}")
