"""The dated penalty rules read from the database into the engine's :class:`PenaltyTerms`, with the
legal basis of every row kept for the statement.

Key rates are a step series (each row in force until the next one's ``valid_from``, as the scenario
contract's dated lists); the other rule tables are explicit ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from raschet.claims.models import (
    DueDayRule,
    Moratorium,
    NonWorkingDay,
    PenaltyPolicy,
    PenaltyRule,
    RateRegime,
)
from raschet.domain.errors import ProblemsError, problem
from raschet.engine.penalty_terms import DueDay, Fractions, PenaltyTerms, terms_frames
from raschet.tariffs.models import KeyRate


@dataclass(frozen=True)
class Rule:
    fractions: Fractions
    due_day: int | None
    basis: str


@dataclass
class LoadedTerms:
    """The engine's terms plus what the statement prints: each row's legal basis."""

    terms: PenaltyTerms
    policy: PenaltyPolicy
    rules: dict[tuple[str, str], list[tuple[date, date | None, Rule]]]
    key_rates: list[tuple[date, str]] = field(default_factory=list)  # (valid_from, basis)
    regimes: list[tuple[date, date | None, str]] = field(default_factory=list)
    moratoria: list[tuple[date, date, str, str]] = field(default_factory=list)  # from, to, name, basis
    due_days: list[tuple[str, int, str]] = field(default_factory=list)

    def rule(self, category: str, group: str, on: date) -> Rule:
        """The fractions of a category and group in force on ``on`` (refused with the fix when missing)."""
        for start, end, rule in self.rules.get((category, group), []):
            if start <= on and (end is None or on < end):
                return rule
        raise ProblemsError([problem("no_penalty_rule", f"{category}/{group}", category=category, group=group,
                                     date=on.isoformat())])

    def due_date(self, period: str, category: str, group: str) -> date:
        last_day = date(int(period[:4]), int(period[5:7]), 1)
        return self.terms.due_date(period, self.rule(category, group, last_day).due_day)


def _policy(as_of: date) -> PenaltyPolicy:
    rows = [p for p in PenaltyPolicy.objects.order_by("valid_from")
            if p.valid_from <= as_of and (p.valid_to is None or as_of < p.valid_to)]
    return rows[-1] if rows else PenaltyPolicy(valid_from=date(1900, 1, 1), legal_basis="порядок по умолчанию")


def ensure_seeded() -> None:
    """Write the seed rules when the rule tables are empty: the data migration writes them, but a
    flushed database (tests, ``flush``) has none, and without rules no penalty can be computed."""
    if not PenaltyRule.objects.exists():
        from django.apps import apps

        from raschet.claims.seed import seed

        seed(apps)


def load_terms(as_of: date) -> LoadedTerms:
    """Every penalty rule, with the policy in force on ``as_of``."""
    ensure_seeded()
    policy = _policy(as_of)
    rates = list(KeyRate.objects.order_by("valid_from").values_list("valid_from", "value", "legal_basis"))
    regimes = list(RateRegime.objects.order_by("valid_from").values_list("valid_from", "valid_to", "mode", "rate",
                                                                          "legal_basis"))
    stops = list(Moratorium.objects.order_by("valid_from"))
    key_rates, regime_rows, stop_rows = terms_frames(
        [(d, v) for d, v, _ in rates], [(a, b, m, r) for a, b, m, r, _ in regimes],
        [(m.valid_from, m.valid_to or date(9999, 12, 31), c) for m in stops for c in m.categories])
    dues = list(DueDayRule.objects.order_by("first_period").values_list("first_period", "day", "legal_basis"))
    terms = PenaltyTerms(key_rates, regime_rows, stop_rows, payment_day_accrues=policy.payment_day_accrues,
                         rate_date=policy.rate_date, due_days=tuple(DueDay(p, d, b) for p, d, b in dues),
                         weekend_shift=policy.weekend_shift,
                         non_working_days=frozenset(NonWorkingDay.objects.values_list("day", flat=True)))
    rules: dict[tuple[str, str], list] = {}
    for row in PenaltyRule.objects.order_by("valid_from"):
        fractions = Fractions(row.grace_days, row.first_denominator, row.step_day, row.second_denominator)
        rules.setdefault((row.category, row.group), []).append(
            (row.valid_from, row.valid_to, Rule(fractions, row.due_day, row.legal_basis)))
    return LoadedTerms(terms, policy, rules, [(d, b) for d, _, b in rates],
                       [(a, b, basis) for a, b, _, _, basis in regimes],
                       [(m.valid_from, m.valid_to, m.name, m.legal_basis) for m in stops], dues)
