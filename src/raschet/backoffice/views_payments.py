"""The back office's payments: upload a bank registry (the import service) and see its report; the
suspense list with assignment to an account (the service checks the permission, the view too)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from raschet import access
from raschet.access.decorators import permission_required
from raschet.domain.errors import ProblemsError
from raschet.exchange import detect_format
from raschet.exchange.reading import read_registry
from raschet.payments.imports import import_registry
from raschet.payments.models import Payment, PaymentRegistry, PaymentState, RegistryMapping
from raschet.payments.services import assign_suspense

MAX_UPLOAD = 200 * 1024 * 1024


class RegistryForm(forms.Form):
    file = forms.FileField(label="Файл реестра банка", help_text="Сбербанк (txt), DBF, CSV или XLSX по шаблону")
    format = forms.ChoiceField(label="Формат", required=False, help_text="Не выбран — определяется по файлу")
    encoding = forms.ChoiceField(label="Кодировка", required=False,
                                 choices=[("", "определить"), ("cp1251", "Windows-1251"), ("cp866", "DOS (866)"),
                                          ("utf-8", "UTF-8")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = RegistryMapping.objects.order_by("name").values_list("name", flat=True)
        self.fields["format"].choices = [("", "определить"), ("sber", "Сбербанк"), ("dbf", "DBF"),
                                         *((f"mapping:{n}", f"шаблон «{n}»") for n in saved)]


def _parse(upload, fmt: str, encoding: str):
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValueError("Файл больше 200 МБ: загрузите его командой raschet payments import.")
    fmt = fmt or detect_format(data, upload.name)
    saved = list(RegistryMapping.objects.order_by("name").values_list("name", flat=True))
    mapping = None
    if fmt.startswith("mapping:"):
        mapping = RegistryMapping.objects.get(name=fmt.removeprefix("mapping:")).config
    return read_registry(data, upload.name, fmt, encoding=encoding or None, mapping=mapping, saved=saved)


@permission_required(access.IMPORT_REGISTRY)
def registries(request):
    form = RegistryForm(request.POST or None, request.FILES or None)
    summary, problems = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            summary = import_registry(_parse(data["file"], data["format"], data["encoding"]), actor=request.user)
        except ProblemsError as error:
            if any(p.code == "forbidden" for p in error.problems):
                raise
            problems = error.problems
        except ValueError as error:
            form.add_error("file", str(error))
    return render(request, "backoffice/registries.html",
                  {"form": form, "summary": summary, "problems": problems[:200], "more": max(0, len(problems) - 200),
                   "registries": PaymentRegistry.objects.select_related("imported_by")[:20],
                   "title": "Реестры платежей банков"})


@permission_required(access.IMPORT_REGISTRY)
def registry_detail(request, registry_id: int):
    registry = get_object_or_404(PaymentRegistry, pk=registry_id)
    rows = Paginator(registry.payment_rows.order_by("pk"), 100).get_page(request.GET.get("page"))
    return render(request, "backoffice/registry.html",
                  {"registry": registry, "rows": rows, "title": f"Реестр {registry.source}"})


@permission_required(access.ASSIGN_SUSPENSE)
def suspense(request):
    found = Payment.objects.filter(state=PaymentState.SUSPENSE).select_related("registry").order_by("paid_on", "pk")
    query = request.GET.get("q", "").strip()
    if query:
        found = found.filter(account_text__icontains=query) | found.filter(payer__icontains=query)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/suspense.html", {"page": page, "query": query,
                                                        "title": "Невыясненные платежи"})


@require_POST
@permission_required(access.ASSIGN_SUSPENSE)
def suspense_assign(request, payment_id: int):
    payment = get_object_or_404(Payment, pk=payment_id)
    number = request.POST.get("account", "").strip()
    if not number:
        messages.error(request, f"Платёж № {payment.pk}: укажите лицевой счёт, на который его разнести.")
        return redirect("office:suspense")
    try:
        assign_suspense(payment=payment, account_number=number, actor=request.user)
    except ProblemsError as error:
        if any(p.code == "forbidden" for p in error.problems):
            raise
        messages.error(request, f"Платёж № {payment.pk}: " + " ".join(p.message for p in error.problems))
    else:
        messages.success(request, f"Платёж № {payment.pk} на {payment.amount} ₽ разнесён на ЛС {number}.")
    return redirect("office:suspense")


@require_POST
@permission_required(access.REVERSE_PAYMENT)
def payment_reverse(request, payment_id: int):
    """Reverse (сторно) a payment: its allocations are undone by opposite entries, the payment stays."""
    from raschet.payments.services import reverse_payment

    payment = get_object_or_404(Payment, pk=payment_id)
    reason = request.POST.get("reason", "").strip() or "Сторно"
    try:
        reverse_payment(payment=payment, actor=request.user, reason=reason)
    except ProblemsError as error:
        if any(p.code == "forbidden" for p in error.problems):
            raise
        messages.error(request, f"Платёж № {payment.pk}: " + " ".join(p.message for p in error.problems))
    else:
        messages.success(request, f"Платёж № {payment.pk} на {payment.amount} ₽ сторнирован.")
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else "office:suspense")
