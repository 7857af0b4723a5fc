"""Models of debtor work: the dated penalty rules (``rules``) and the debt cases (``cases``)."""

from raschet.claims.models.cases import (
    CLOSED_STAGES,
    CaseDocument,
    CaseEvent,
    DebtCase,
    DocumentKind,
    InCase,
    Instalment,
    InstalmentItem,
    SelectionRule,
    Stage,
)
from raschet.claims.models.rules import (
    CATEGORY_CODES,
    AccountCategory,
    Category,
    DueDayRule,
    Group,
    IncreasePolicy,
    Moratorium,
    NonWorkingDay,
    PenaltyPolicy,
    PenaltyRule,
    RateDate,
    RateMode,
    RateRegime,
)
from raschet.claims.models.state import PenaltyState, PenaltyStatePart

__all__ = ["CATEGORY_CODES", "CLOSED_STAGES", "AccountCategory", "CaseDocument", "CaseEvent", "Category", "DebtCase",
           "DocumentKind", "DueDayRule", "Group", "InCase", "IncreasePolicy", "Instalment", "InstalmentItem",
           "Moratorium", "NonWorkingDay", "PenaltyPolicy", "PenaltyState", "PenaltyStatePart", "PenaltyRule", "RateDate", "RateMode", "RateRegime",
           "SelectionRule", "Stage"]
