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
    "same_start": (
        "Записи {what} {first} и {second} начинаются в один день {date}. Запись ряда действует до начала "
        "следующей, поэтому у двух записей не может быть одной даты «valid_from»: оставьте одну или исправьте дату."
    ),
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
    "reading_digits": (
        "Показание {value} прибора {meter} не помещается в его {digits}-разрядный счётный механизм: "
        "проверьте показание (лишние цифры?) или разрядность прибора."
    ),
    "implausible_reading": (
        "Показание {value} прибора {meter} даёт расход {used} с {since}, а правдоподобно не больше {limit} "
        "({basis}). Проверьте показание; оператор может подтвердить "
        "его, реестр банка — нет."
    ),
    # the meter controller's route (raschet.controller)
    "foreign_route": (
        "Маршрут {route} назначен другому контролёру: пользователю «{user}» его лист и записи недоступны. "
        "Откройте свои маршруты или попросите назначить этот маршрут вам."
    ),
    "route_not_active": (
        "Запись по маршруту {route} датирована {date}, а маршрут действует {period}. Проверьте дату на телефоне "
        "или попросите продлить маршрут."
    ),
    "meter_not_on_route": (
        "Прибор учёта {meter} не входит в маршрут {route}. Обновите маршрутный лист; если прибор на месте, "
        "сообщите оператору."
    ),
    "reading_conflict": (
        "Показание {value} на {date} прибора {meter} не записано: уже есть более новое показание {existing} "
        "на {existing_date} (источник: {source}, внесено {entered}), {why}. Оно не перезаписано: сверьте его "
        "с прибором и при расхождении сообщите оператору."
    ),
    "client_id_reused": (
        "Запись с идентификатором {client_id} уже получена с другим содержанием: повтор должен совпадать "
        "с первой отправкой. Создайте новую запись."
    ),
    "reading_window": (
        "Показания в личном кабинете принимаются {window}, сегодня {today} — вне этих дней. {advice}"
    ),
    "value_out_of_range": (
        "Значение {what} = {value} вне допустимых пределов расчёта (по модулю меньше {limit}){where}. "
        "Исправьте значение: вероятно, ошибка ввода."
    ),
    "amount_out_of_range": (
        "Начисление по услуге «{service}» с {date} не помещается в допустимые пределы: объём или тариф "
        "слишком велики. Проверьте показания, площадь и тариф."
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
    # payment documents (raschet.documents)
    "document_mismatch": (
        "Платёжный документ ЛС {account} за {period} не сходится: {what}. Документ не выпущен; "
        "это ошибка сборки документа — сообщите разработчикам, приложив номер счёта."
    ),
    "payee_details": (
        "Платёжный QR-код получателя «{organisation}» (код {org_code}) не построен: {reason}. Исправьте "
        "реквизиты организации в справочнике организаций и выпустите документы снова."
    ),
    "period_not_posted": (
        "Документы за {period} не выпускаются: период {state}, а документ показывает проведённые "
        "начисления. Проведите период: raschet period post --period {period}."
    ),
    "no_executor": (
        "Не указан исполнитель услуг для платёжных документов: {reason}. Укажите организацию-исполнителя "
        "в настройках платёжных документов (администрирование → Платёжные документы → Настройки)."
    ),
    "unknown_scope": (
        "Неизвестный охват «{value}»: {reason}. Укажите через запятую route:КОД, building:КОД или "
        "account:НОМЕР, например --scope building:B0001,account:1000123."
    ),
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
    "part_not_calculated": (
        "Услуга «{service}» не рассчитана: её объём складывается из объёма услуги «{part}», которая не рассчитана "
        "(см. ошибку по ней). Устраните ту ошибку, и обе услуги будут рассчитаны."
    ),
    "invalid_structure": "Неверная структура: {reason}.",
    "invalid_file": "Файл не прочитан: {reason}.",
    "idempotency_conflict": (
        "Ключ операции «{key}» уже использован для другого платежа № {payment} ({paid_on}, ЛС {account}, "
        "{amount} ₽): повтор должен совпадать с первым запросом, а для нового платежа нужен новый ключ "
        "(в кассе — откройте форму заново)."
    ),
    "unauthenticated": (
        "Нужна авторизация: войдите в систему или передайте токен в заголовке «Authorization: Bearer …» "
        "(ключ интеграции — в заголовке X-Api-Key)."
    ),
    "rate_limited": "Слишком много запросов: не больше {rate}. Повторите через {seconds} с.",
    "internal_error": (
        "Внутренняя ошибка сервера (номер {reference}). Запрос не выполнен; сообщите администратору этот номер — "
        "подробности записаны в журнал."
    ),
    "forbidden": (
        "Недостаточно прав: пользователю «{user}» не разрешено действие «{action}». "
        "Попросите администратора выдать право {permission} (или роль, в которую оно входит)."
    ),
    "no_penalty_rule": "Нет правила начисления пеней для категории «{category}», услуг «{group}» на {date}. Добавьте правило (Пени и работа с должниками → Правила начисления пеней).",
    "no_key_rate": "Нет ключевой ставки на {date} (долг за {period}): строки расчёта пеней с этой датой ставки не посчитаны. Добавьте ставку (Услуги, тарифы → Ключевые ставки).",
    "penalties_out_of_order": "Пени за {period} нельзя начислить: уже начислены пени в более позднем периоде {later}. Пени начисляются по порядку периодов; пересчёт прошлого попадает корректировкой в открытый период.",
    "stage_not_allowed": "Дело ЛС {account}: переход с этапа «{current}» на этап «{target}» не предусмотрен. Допустимые этапы: {allowed}.",
    "deadline_not_reached": "Дело ЛС {account}: этап «{target}» возможен не ранее {deadline} ({reason}).",
    "restriction_forbidden": "Ограничение или приостановление услуги «{service}» (ЛС {account}) не допускается: {reason}.",
    "no_open_case": "У лицевого счёта {account} нет открытого дела должника. Сначала отберите должников (raschet claims select).",
    "court_order_limit": "Долг ЛС {account} {amount} ₽ больше предела судебного приказа {limit} ₽ ({basis}): нужен иск.",
    "case_not_eligible": "Дело ЛС {account}: этап «{target}» не применяется: {reason}.",
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
