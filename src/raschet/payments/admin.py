"""Admin of payments: registries, payments (suspense resolved here), the audit trail, bank templates and
agent contracts. Money moves only through the services: the admin calls them, never edits entries."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from raschet import access
from raschet.domain.errors import ProblemsError
from raschet.payments import models
from raschet.payments.services import assign_suspense, reverse_payment
from raschet.plain_numbers import BoundedNumbers


@admin.register(models.PaymentRegistry)
class PaymentRegistryAdmin(admin.ModelAdmin):
    list_display = ("source", "channel", "imported_at", "payments", "total", "duplicates", "suspense", "readings")
    readonly_fields = [f.name for f in models.PaymentRegistry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):  # its payments are history (billing.guards)
        return False


class PaymentForm(forms.ModelForm):
    assign_to = forms.CharField(label="Разнести на лицевой счёт", required=False,
                                help_text="Для невыясненного платежа: номер лицевого счёта, на который его зачесть.")

    class Meta:
        model = models.Payment
        fields = ()


class PaymentEventInline(admin.TabularInline):
    model = models.PaymentEvent
    fields = ("at", "action", "user", "details")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(models.Payment)
class PaymentAdmin(admin.ModelAdmin):
    form = PaymentForm
    list_display = ("paid_on", "account_text", "account", "amount", "named_period", "source", "state", "registry")
    list_filter = ("state", "source", "paid_on")
    search_fields = ("=account_text", "=account__number", "payer", "=operation_id")
    list_select_related = ("account", "registry")
    readonly_fields = ("account", "account_text", "payer", "address", "paid_on", "amount", "fee", "named_period",
                       "source", "channel", "operation_id", "state", "registry", "moved_from", "created_at")
    inlines = [PaymentEventInline]
    actions = ["reverse_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):  # the database refuses it too (billing.guards)
        return False

    def save_model(self, request, obj, form, change):
        number = form.cleaned_data.get("assign_to", "").strip()
        if number:
            try:
                assign_suspense(payment=obj, account_number=number, actor=request.user)
            except ProblemsError as error:
                self.message_user(request, "; ".join(p.message for p in error.problems), messages.ERROR)

    def has_reverse_permission(self, request) -> bool:
        return access.allowed(request.user, access.REVERSE_PAYMENT)

    @admin.action(description="Сторнировать выбранные платежи", permissions=["reverse"])
    def reverse_selected(self, request, queryset):
        done = 0
        try:
            for payment in queryset.exclude(state=models.PaymentState.REVERSED):
                reverse_payment(payment=payment, actor=request.user)
                done += 1
        except ProblemsError as error:  # the service checks the permission whatever the admin shows
            self.message_user(request, "; ".join(p.message for p in error.problems), messages.ERROR)
        self.message_user(request, f"Сторнировано платежей: {done}.")


@admin.register(models.RegistryMapping)
class RegistryMappingAdmin(admin.ModelAdmin):
    list_display = ("name",)

    def save_model(self, request, obj, form, change):
        from raschet.exchange import validate_mapping

        problems = validate_mapping(obj.config)
        if problems:
            self.message_user(request, "Шаблон не сохранён: " + "; ".join(problems), messages.ERROR)
            return
        super().save_model(request, obj, form, change)


@admin.register(models.AgentContract)
class AgentContractAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("supplier", "number", "commission_percent", "valid_from", "valid_to")


@admin.register(models.CashShift)
class CashShiftAdmin(admin.ModelAdmin):
    """Cashiers' shifts, to look at (opened and closed at the cash desk, never edited here)."""

    list_display = ("pk", "cashier", "opened_at", "closed_at")
    list_filter = ("closed_at",)
    readonly_fields = ("cashier", "opened_at", "closed_at")

    def has_add_permission(self, request) -> bool:
        return False
