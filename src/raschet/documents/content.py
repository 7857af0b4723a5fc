"""What a payment document (ЕПД) says, as plain immutable records: the sections of the model form of
Minstroy order 43/пр (domain.md §8), with the GIS ЖКХ element each field answers to.

Money is ``Decimal`` in roubles, exact to the kopeck; volumes are ``Decimal`` as the ledger holds
them. Nothing here reads a database or draws anything: :mod:`.assemble` builds these records from
:mod:`.sources`, :mod:`.checks` proves that their figures tie out, :mod:`.layout` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from raschet.domain.periods import Period

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Organisation:
    """An executor or a recipient of payment (GIS ``PaymentProviderInformation``,
    ``PaymentInformation``): name, registration and bank details, contacts."""

    code: str
    name: str
    inn: str
    kpp: str = ""
    bank_name: str = ""
    bic: str = ""
    settlement_account: str = ""
    corr_account: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    hours: str = ""


@dataclass(frozen=True)
class Payer:
    """Section 1: who pays for which premises (``TotalSquare``, ``ResidentialSquare``, ``HeatedArea``,
    ``LivingPersonsNumber``); ЕЛС and the ИЖКУ of each service for GIS ЖКХ."""

    account_number: str
    name: str
    address: str
    els: str = ""
    total_area: Decimal | None = None
    living_area: Decimal | None = None
    heated_area: Decimal | None = None
    share: Decimal = Decimal(1)
    residents: int = 0
    service_ids: tuple[tuple[str, str], ...] = ()  # (service name, ИЖКУ)


@dataclass(frozen=True)
class MeterReading:
    """Section 2: an individual meter (``IndividualMDReadings``: ``MDServiceCode``,
    ``MDPreviousPeriodReadings``, ``MDUnit``)."""

    service: str
    gis_code: int | None  # 1 ХВС, 2 ГВС, 3 водоотведение, 4 электроснабжение, 5 газ, 6 отопление, 7 ТКО
    serial: str
    zone: str
    unit: str
    previous: Decimal | None
    previous_date: date | None
    current: Decimal | None
    current_date: date | None
    verification_due: date | None = None


@dataclass(frozen=True)
class ServiceLine:
    """Section 3, one service of one recipient (``ChargeInfo``): unit, volumes individual and for
    common property (``Consumption/Volume@type`` I / O, ``@determiningMethod`` N / M / O),
    ``Rate``, ``AccountingPeriodTotal``, ``MultiplyingFactor``, ``MoneyRecalculation``,
    ``MoneyDiscount``, ``TotalPayable``."""

    service_code: str
    service: str
    recipient: str  # organisation code
    unit: str
    individual_volume: Decimal | None
    common_volume: Decimal | None
    basis: str  # N norm, M meter, O other, "" where no volume is measured (per m²)
    tariff: Decimal | None
    charged: Decimal
    increasing_factor: Decimal | None = None
    factor_excess: Decimal = ZERO
    recalculation: Decimal = ZERO
    benefits: Decimal = ZERO
    payable: Decimal = ZERO  # charged + recalculation - benefits


@dataclass(frozen=True)
class Recalculation:
    """Section 6 (``PaymentRecalculation``): why and by how much (+ доначисление, − уменьшение)."""

    service: str
    recipient: str
    period: str  # the accrual period it corrects, ГГГГ-ММ
    reason: str
    amount: Decimal


@dataclass(frozen=True)
class Penalty:
    """A penalty line of Section 3 (``Penalties``), per recipient; ``basis`` says how it was computed
    (filled by the penalties of issue 13)."""

    recipient: str
    amount: Decimal
    basis: str = ""


@dataclass(frozen=True)
class Instalment:
    """Section 5 (``PiecemealPayment``): a charge paid by instalments with interest."""

    service: str
    recipient: str
    of_period: Decimal  # paymentPeriodPiecemealPaymentSum
    of_past: Decimal  # pastPaymentPeriodPiecemealPaymentSum
    interest: Decimal  # piecemealPaymentPercentRub
    interest_percent: Decimal  # piecemealPaymentPercent
    total: Decimal  # piecemealPaymentSum


@dataclass(frozen=True)
class BuildingFigure:
    """Section 4 (``ServiceInformation``): the building's common-property norm
    (``houseOverallNeedsNorm``), its individual and common volumes (``houseOverallNeedsCurrentValue``,
    ``houseTotalHouseOverallNeeds``) and its building meter readings."""

    service: str
    unit: str
    common_norm: Decimal | None
    norm_unit: str
    individual_total: Decimal | None
    common_total: Decimal | None
    meter_previous: Decimal | None = None
    meter_current: Decimal | None = None


@dataclass(frozen=True)
class RecipientPart:
    """Section 2 and the recipient's columns of Section 3: what one organisation is owed.

    ``total`` = ``opening`` + ``payable`` + ``penalties`` + ``state_fees`` + ``court_costs`` − ``paid``
    (``opening``: debt > 0, advance < 0, GIS ``DebtPreviousPeriodsOrAdvanceBillingPeriod``).
    ``qr_payload`` is the GOST R 56042 code for ``due`` when the document has one per recipient."""

    recipient: Organisation
    opening: Decimal
    charged: Decimal
    recalculation: Decimal
    benefits: Decimal
    payable: Decimal
    penalties: Decimal
    state_fees: Decimal
    court_costs: Decimal
    paid: Decimal
    total: Decimal
    qr_payload: str = ""

    @property
    def due(self) -> Decimal:
        """What to pay to this recipient: the total, or nothing when it is an overpayment."""
        return max(self.total, ZERO)


@dataclass(frozen=True)
class PaymentDocumentContent:
    """The whole ЕПД of an account for a period. ``total`` is GIS ``TotalPayableOverall`` (debt or
    advance, charges, recalculations, penalties and payments taken into account); it equals the
    account's balance in the ledger at the end of the period (``ledger_balance``)."""

    period: Period
    number: str
    issued_on: date
    payer: Payer
    executor: Organisation
    recipients: tuple[RecipientPart, ...]
    services: tuple[ServiceLine, ...]
    meters: tuple[MeterReading, ...] = ()
    recalculations: tuple[Recalculation, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    instalments: tuple[Instalment, ...] = ()
    building: tuple[BuildingFigure, ...] = ()
    unassigned_advance: Decimal = ZERO  # money paid ahead and not yet allotted to a recipient (≤ 0)
    payments_taken_until: date | None = None  # GIS PaymentsTaken
    last_payment_date: date | None = None
    ledger_balance: Decimal = ZERO
    due_date: date | None = None
    qr_mode: str = "per_recipient"  # or "settlement_centre"
    centre: Organisation | None = None
    centre_qr_payload: str = ""
    notes: tuple[str, ...] = field(default=())
    version: int = 1
    signup_code: str = ""  # the personal account's sign-up code (documents.signup), not a figure

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.recipients), ZERO) + self.unassigned_advance

    @property
    def due(self) -> Decimal:
        return max(self.total, ZERO)

    def figures(self) -> dict:
        """Every field as plain data (dates and periods as text, money as text): what the document's
        identity hash is taken over, the issue's number, date, version and sign-up code left out."""
        data = _plain(self)
        for key in ("number", "issued_on", "version", "signup_code"):
            data.pop(key)
        return data


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value):
    """``dataclasses.asdict`` without its deep copies (a third of a document's issue time), with
    decimals, dates and periods as text."""
    kind = type(value)
    if kind in (str, int, bool, float) or value is None:
        return value
    if kind is Decimal or kind is date or kind is Period:
        return str(value)
    if kind is tuple or kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    names = _FIELDS.get(kind)
    if names is None:
        if isinstance(value, Decimal | date | Period | str):  # a subclass: a datetime, a choices enum
            return str(value)
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}
