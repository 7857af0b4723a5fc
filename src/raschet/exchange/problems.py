"""Problem codes of the bank exchange formats, in the shape of :data:`raschet.domain.errors.CODES`.

The domain vocabulary describes dates as ``ГГГГ-ММ-ДД`` and periods as ``ГГГГ-ММ``; a bank
registry writes ``05-03-2026`` and ``0326``, so telling a cashier to "use 2026-03-01" would be
wrong.  These codes say which layout the file itself must use, and add the reconciliation
problems that only a registry has (footer, totals, fee).  They produce ordinary
:class:`~raschet.domain.errors.Problem` records, so a refused import is reported like any other.
"""

from __future__ import annotations

from raschet.domain.errors import CODES as DOMAIN_CODES
from raschet.domain.errors import Problem, ProblemsError, problem

EXCHANGE_CODES: dict[str, str] = {
    "registry_invalid_date": (
        "Неверная дата «{value}» в поле «{field}»: ожидается {expected}, например {example}. "
        "Исправьте дату или запросите у банка исправленный реестр."
    ),
    "registry_invalid_time": (
        "Неверное время «{value}» в поле «{field}»: ожидается ЧЧ-ММ-СС, например 09-15-00."
    ),
    "registry_invalid_amount": (
        "Неверная сумма «{value}» в поле «{field}»: {reason}. Пример правильной записи: 1234,50."
    ),
    "registry_invalid_period": (
        "Неверный период «{value}» в поле «{field}»: ожидается {expected}, например {example}."
    ),
    "registry_missing_field": (
        "Не заполнено обязательное поле «{field}»: заполните его или запросите у банка исправленный реестр."
    ),
    "registry_field_count": (
        "В строке {found} полей, ожидается не меньше {expected} (разделитель «;»): "
        "проверьте, не пропущено ли поле и не попал ли «;» внутрь ФИО или адреса."
    ),
    "registry_fee_mismatch": (
        "Оплачено {paid}, но перечислено {transferred} + комиссия {fee} = {total}: "
        "сумма оплаты должна равняться перечисленной сумме плюс комиссия банка."
    ),
    "registry_no_footer": (
        "Нет итоговой строки реестра (начинается с «=»: =количество;оплачено;перечислено;комиссия;"
        "номер п/п;дата п/п). Файл, вероятно, передан не полностью: запросите его у банка повторно."
    ),
    "registry_extra_footer": (
        "Итоговая строка встречается повторно или после неё есть платежи: итоговая строка должна быть "
        "последней и единственной."
    ),
    "registry_count_mismatch": (
        "В итоговой строке указано платежей: {expected}, а в реестре строк с платежами: {found}. "
        "Файл неполон или итог неверен: запросите реестр у банка повторно."
    ),
    "registry_total_mismatch": (
        "Итог «{total}» в итоговой строке {expected}, а сумма по строкам реестра {found}. "
        "Сверьте реестр с платёжным поручением и запросите исправленный файл."
    ),
    "registry_reading_pair": (
        "Показание без кода прибора в полях {position}: показания передаются парами «код прибора;значение»."
    ),
    "registry_empty": "В реестре нет ни одного платежа: проверьте, тот ли файл загружен.",
    "registry_bank_statement": (
        "Это банковская выписка в формате 1С (1CClientBankExchange) по счёту {account} с {first} по {last}: "
        "документов {documents} ({kinds}) на {total} ₽, а не реестр платежей населения. Проведение "
        "платёжных поручений из выписки появится вместе с учётом юридических лиц; для оплат по лицевым "
        "счетам запросите у банка реестр платежей."
    ),
    "registry_unknown_record": (
        "Строка с признаком записи «{tag}» не описана в шаблоне реестра (ожидаются {known}): добавьте этот "
        "тип записи в «records» шаблона (или в «records.ignore») либо запросите у банка исправленный файл."
    ),
    "registry_outside_pack": (
        "Платёж вне пачки: строки платежей должны идти после строки пачки (или перед ней, если в шаблоне "
        "pack_position: after). Запросите у банка исправленный реестр."
    ),
    "registry_group_count": (
        "{group}: указано платежей {expected}, а строк с платежами {found}. Файл неполон или итог неверен: "
        "запросите реестр у банка повторно."
    ),
    "registry_group_total": (
        "{group}: указана сумма {expected}, а сумма платежей {found}. Сверьте реестр с платёжным поручением "
        "и запросите исправленный файл."
    ),
    # Warnings of a scanned payment QR code: the code is read, the defect is shown to the cashier.
    "qr_encoding": "Кодировка QR-кода исправлена: {note}.",
    "qr_fragment": "Фрагмент «{fragment}» не имеет вида реквизит=значение и пропущен.",
    "qr_unknown_key": (
        "Реквизит «{key}» не предусмотрен ГОСТ Р 56042-2014: значение «{value}» отложено и не использовано."
    ),
    "qr_lookalike_key": (
        "Имя реквизита «{key}» написано с кириллическими буквами, похоже на {known}: значение «{value}» "
        "не использовано. Проверьте его по квитанции."
    ),
    "qr_duplicate_key": (
        "Реквизит {key} встречается несколько раз с разными значениями ({values}): значение не "
        "использовано, введите его по квитанции."
    ),
    "qr_missing_keys": "В QR-коде нет обязательных реквизитов получателя: {keys}.",
    "qr_bank_requisites": (
        "Банковские реквизиты получателя в QR-коде не сходятся: {reason}. Оплата по лицевому счёту "
        "принимается; сообщите получателю, что код на квитанции нужно исправить."
    ),
    "qr_invalid_sum": (
        "Сумма Sum=«{value}» не прочитана: в QR-коде сумма пишется целым числом копеек (5230,45 ₽ — "
        "523045). Введите сумму по квитанции."
    ),
    "qr_invalid_period": (
        "Период PaymPeriod=«{value}» не прочитан (ожидается месяц и год, например 032026). "
        "Укажите оплачиваемый период вручную."
    ),
}

# A code defined twice would make a message depend on import order.
assert not EXCHANGE_CODES.keys() & DOMAIN_CODES.keys()


def exchange_problem(code: str, subject: str, **params: object) -> Problem:
    """Build a :class:`Problem` from an exchange or a domain code (same contract as ``problem``)."""
    if code not in EXCHANGE_CODES:
        return problem(code, subject, **params)
    template = EXCHANGE_CODES[code]
    try:
        message = template.format(**params)
    except KeyError as missing:
        raise KeyError(f"exchange_problem({code!r}) needs parameter {missing}") from None
    return Problem(code=code, message=message, subject=subject)


def refuse_unless_clean(payments: list, problems: list, source: str) -> list:
    """The payments of a file without a footer (DBF, spreadsheets): refused whole on any problem, and
    a file with no payment at all is a problem too."""
    if not payments and not problems:
        problems.append(exchange_problem("registry_empty", source))
    if problems:
        raise ProblemsError(problems)
    return payments
