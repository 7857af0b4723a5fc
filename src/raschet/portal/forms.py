"""Forms of the personal account (Russian labels, phone-friendly input types)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from raschet.documents.models import DeliveryChannel

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class AccountCodeForm(forms.Form):
    account_number = forms.CharField(label="Номер лицевого счёта", max_length=30,
                                     widget=forms.TextInput(attrs=NUMERIC))
    code = forms.CharField(label="Код для личного кабинета", max_length=20,
                           help_text="Напечатан в разделе 1 платёжного документа, справа от номера лицевого счёта.",
                           widget=forms.TextInput(attrs={**NUMERIC, "placeholder": "12345-67890"}))


class SignUpForm(AccountCodeForm):
    email = forms.EmailField(label="Электронная почта", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Пароль", help_text="Не короче 10 символов, не только цифры.",
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label="Пароль ещё раз",
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["account_number", "code", "email", "password", "password_again"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "Пароли не совпадают: введите один и тот же пароль дважды.")
        return data


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label="Электронная почта", widget=forms.EmailInput(attrs={"autocomplete": "email",
                                                                                          "autofocus": True}))

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class ReadingForm(forms.Form):
    meter = forms.IntegerField(widget=forms.HiddenInput)
    zone = forms.CharField(widget=forms.HiddenInput, initial="total")
    value = forms.CharField(label="Показание", max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class PayForm(forms.Form):
    amount = forms.CharField(label="Сумма, ₽", max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class DeliveryForm(forms.Form):
    channel = forms.ChoiceField(label="Как получать платёжные документы", choices=DeliveryChannel.choices,
                                widget=forms.RadioSelect)
    email = forms.EmailField(label="Адрес для документов", required=False,
                             help_text="Пусто — адрес, с которым вы входите в кабинет.")
