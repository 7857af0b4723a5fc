"""The one error vocabulary: problems as data, with stable codes and Russian messages.

Like Beancount's errors, a :class:`Problem` is a record, not an exception: validation and
calculation collect them so that one bad account or import line never stops the rest, and
each one says what is wrong, where (``subject``) and how to fix it.  ``code`` is stable and
is what HTTP/UI mappings and tests key on; ``message`` is for people.

Adding a code: add it to :data:`CODES` with a template whose ``{placeholders}`` are the
keyword arguments callers pass to :func:`problem`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass

CODES: dict[str, str] = {
    "overlap": "Периоды {what} пересекаются: {first} и {second}. Исправьте даты valid_from/valid_to.",
    "unknown_reference": "Неизвестный код «{value}» в справочнике «{kind}». Проверьте код или сначала добавьте запись в справочник.",
    "not_positive": "Значение «{field}» должно быть больше нуля, указано {value}.",
    "negative": "Значение «{field}» не может быть отрицательным, указано {value}.",
    "invalid_value": "Недопустимое значение «{value}» в поле «{field}»: {reason}",
    "invalid_date": "Неверная дата «{value}» в поле «{field}»: ожидается ГГГГ-ММ-ДД, например 2026-03-01.",
    "invalid_period": "Неверный расчётный период «{value}»: ожидается ГГГГ-ММ, например 2026-03.",
    "invalid_range": "Неверный интервал в поле «{field}»: конец {end} должен быть позже начала {start} (конец не включается).",
    "missing_field": "Не заполнено обязательное поле «{field}».",
    "duplicate": "Повторяющаяся запись «{value}» в «{field}»: значение должно быть уникальным.",
    "unknown_method": "Неизвестный способ расчёта «{method}». Допустимые способы: {known}.",
    "readings_backwards": (
        "Показание {current} на {current_date} меньше предыдущего {previous} на {previous_date}. "
        "Проверьте показание; при замене прибора или переходе через ноль оформите это отдельно."
    ),
    "no_tariff": "Нет тарифа для услуги «{service}» на {date}. Добавьте тариф, действующий на эту дату.",
    "no_norm": "Нет норматива потребления для услуги «{service}» на {date}. Добавьте норматив, действующий на эту дату.",
    "no_rule": "Не назначен способ расчёта услуги «{service}» на {date}. Назначьте способ расчёта, действующий на эту дату.",
    "no_reading_history": (
        "Нет истории показаний прибора {meter} для расчёта по среднему за {period}. "
        "Внесите показания или начислите по нормативу."
    ),
    "invalid_identifier": "Неверный {kind} «{value}»: {reason}",
    "invalid_expression": "Ошибка в формуле «{expression}»: {reason}",
    "unknown_input": "Неизвестная входная величина «{name}». Допустимые: {known}.",
    "not_supported": "Не поддерживается: {what}.",
    "period_closed": "Период {period} нельзя рассчитать или изменить: период {closed} уже проведён или закрыт. Изменения прошлого попадают перерасчётом в открытый период.",
    "period_not_calculated": "Период {period} не рассчитан: сначала выполните расчёт (raschet calc --period {period}).",
    "run_units_failed": "Расчёт № {run} не завершён: частей с ошибкой {count} ({units}). Устраните причину и продолжите: raschet calc --resume {run}.",
    "run_in_progress": "Полный расчёт периода {period} № {run} ещё не завершён. Если он прерван, продолжите его: raschet calc --period {period} --resume {run}.",
    "run_not_resumable": "Расчёт № {run} нельзя продолжить: его состояние «{status}» (продолжают только незавершённый полный расчёт).",
    "period_out_of_order": "Период {period} нельзя {action}: сначала {todo} период {first}. Периоды рассчитываются, проводятся и закрываются строго по порядку.",
    "run_cancelled": "Расчёт № {run} периода {period} отменён: пока он шёл, период {frozen} был {state}. Строки этого расчёта не сохранены; изменения прошлого попадут перерасчётом в открытый период.",
    "unit_of_frozen_period": "Часть расчёта периода {period} не записана: период {frozen} уже {state}.",
    "foreign_balances": "Период {period} не закрыт: в таблице сальдо уже есть строки этого периода, записанные в обход Расчёта. Выясните, кто их внёс; закрытие их не учитывает.",
    "concurrent_conflict": "Операция не выполнена: {reason} с другой одновременной операцией над теми же данными (попыток: {attempts}). Повторите её.",
    "recalc_pending": "Период {period} нельзя закрыть: после расчёта изменились данные прошлых периодов ({count} отметок, лицевые счета {accounts}). Рассчитайте период ещё раз.",
    "no_area": "Нет площади помещения на {date}. Укажите площадь, действующую на эту дату.",
    "no_building_area": "У дома {building} не указана общая площадь помещений (S_об). Заполните её, иначе нельзя распределить общедомовой объём.",
    "invalid_params": "Неверные параметры способа расчёта «{method}» (правило {rule}): {reason}",
    "invalid_structure": "Неверная структура: {reason}.",
    "invalid_file": "Файл не прочитан: {reason}.",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: ``subject`` says where (JSON path, account, ``file:line``)."""

    code: str
    message: str
    subject: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "subject": self.subject}

    def __str__(self) -> str:
        return f"{self.subject}: {self.message} [{self.code}]"


def placeholders(code: str) -> set[str]:
    """The keyword arguments :func:`problem` needs for ``code``."""
    return {name for _, name, _, _ in string.Formatter().parse(CODES[code]) if name}


def problem(code: str, subject: str, **params: object) -> Problem:
    """Build a :class:`Problem` from its code's template.

    An unknown code or a missing parameter is a programming error and raises ``KeyError``;
    extra parameters are ignored.
    """
    if code not in CODES:
        raise KeyError(f"Unknown problem code {code!r}; add it to raschet.domain.errors.CODES")
    missing = placeholders(code) - params.keys()
    if missing:
        raise KeyError(f"problem({code!r}) needs parameters {sorted(missing)}")
    return Problem(code=code, message=CODES[code].format(**params), subject=subject)


class ProblemsError(Exception):
    """Raised when collected problems must stop an operation (e.g. an import is refused)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
