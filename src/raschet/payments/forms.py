"""The cash desk form: scan or type the QR string of a payment document, check, take the money."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from raschet.domain.bounds import PAYMENT_AMOUNT, TEXT_LENGTH
from raschet.domain.periods import Period
from raschet.exchange import parse_payment_qr
from raschet.exchange.qr import QrError
from raschet.payments.models import PaymentMethod


class CashDeskForm(forms.Form):
    qr = forms.CharField(label="QR-код квитанции", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                         help_text="Отсканируйте QR-код ЕПД сканером или вставьте строку ST00012|…")
    account = forms.CharField(label="Лицевой счёт", max_length=TEXT_LENGTH["account.number"], required=False)
    period = forms.CharField(label="Оплачиваемый период (ГГГГ-ММ)", max_length=7, required=False)
    # text, read by the one rule of domain.bounds: "1e3", "1_000" or a third decimal are refused, not rounded
    amount = forms.CharField(label="Сумма, ₽", max_length=20, required=False,
                             help_text="Например 100,50, 100.50 или 1 000,50")
    method = forms.ChoiceField(label="Способ оплаты", choices=PaymentMethod.choices, initial=PaymentMethod.CASH,
                               required=False)

    qr_warnings: tuple[str, ...] = ()

    def fill_from_qr(self) -> tuple[str, ...]:
        """Put the account, period and sum from the QR string into the form's fields; return the
        reader's warnings (a defect in the code, a key kept aside) for the cashier to see."""
        data = self.data.copy()
        try:
            payment = parse_payment_qr(self.data.get("qr", ""))
        except QrError as error:
            self.add_error("qr", str(error))
            return ()
        data["account"] = payment.account
        data["period"] = str(payment.period) if payment.period else ""
        data["amount"] = str(payment.amount) if payment.amount else ""  # Sum=0: the payer chooses
        self.data = data
        return tuple(w.message for w in payment.warnings)

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data.get("amount", "").strip()
        if not text:
            return None
        number, reason = PAYMENT_AMOUNT.read(text)
        if number is None:
            raise forms.ValidationError(f"Неверная сумма «{text}»: {reason}.")
        return number

    def clean_period(self) -> Period | None:
        text = self.cleaned_data.get("period", "").strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or PaymentMethod.CASH

    def clean(self):
        cleaned = super().clean()
        if self.data.get("action") in ("pay", "check"):
            for name in ("account", "amount"):
                if not cleaned.get(name):
                    self.add_error(name, "Заполните это поле.")
        return cleaned
