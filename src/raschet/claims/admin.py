"""Admin of debtor work: the dated penalty rules (edited here, no release needed), selection rules,
debt cases with their history and documents, instalment agreements with their schedule."""

from __future__ import annotations

from django.contrib import admin

from raschet.claims import models


@admin.register(models.PenaltyRule)
class PenaltyRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "group", "grace_days", "first_denominator", "step_day", "second_denominator",
                    "due_day", "valid_from", "valid_to", "legal_basis")
    list_filter = ("category", "group")


@admin.register(models.RateRegime)
class RateRegimeAdmin(admin.ModelAdmin):
    list_display = ("mode", "rate", "valid_from", "valid_to", "legal_basis")


@admin.register(models.Moratorium)
class MoratoriumAdmin(admin.ModelAdmin):
    list_display = ("name", "valid_from", "valid_to", "categories", "legal_basis")


@admin.register(models.DueDayRule)
class DueDayRuleAdmin(admin.ModelAdmin):
    list_display = ("first_period", "day", "legal_basis")


@admin.register(models.NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ("day", "legal_basis")


@admin.register(models.PenaltyPolicy)
class PenaltyPolicyAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "valid_to", "payment_day_accrues", "weekend_shift", "increase", "rate_date")


@admin.register(models.AccountCategory)
class AccountCategoryAdmin(admin.ModelAdmin):
    list_display = ("account", "category", "valid_from", "valid_to")
    list_filter = ("category",)
    search_fields = ("=account__number",)
    raw_id_fields = ("account",)


@admin.register(models.SelectionRule)
class SelectionRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "min_debt", "min_months_overdue", "service", "building", "supplier", "in_case", "monthly",
                    "last_run_on")
    raw_id_fields = ("building",)


class EventInline(admin.TabularInline):
    model = models.CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("on", "stage_from", "stage_to", "deadline", "actor", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = models.CaseDocument
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "on", "amount")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.DebtCase)
class DebtCaseAdmin(admin.ModelAdmin):
    """Stages change through the services (checks and history), so the case is read-only here."""

    list_display = ("account", "stage", "stage_since", "deadline", "debt", "is_open")
    list_filter = ("stage", "is_open")
    search_fields = ("=account__number",)
    inlines = [EventInline, DocumentInline]
    readonly_fields = ("account", "stage", "previous_stage", "service", "opened_on", "stage_since", "deadline", "debt",
                       "is_open", "closed_on")

    def has_add_permission(self, request) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = models.InstalmentItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ("period", "due_on", "principal", "interest", "remaining")


@admin.register(models.Instalment)
class InstalmentAdmin(admin.ModelAdmin):
    list_display = ("number", "case", "signed_on", "principal", "interest_percent", "is_active")
    readonly_fields = ("case", "number", "signed_on", "principal", "covers_to", "interest_percent", "is_active")
    inlines = [ItemInline]

    def has_add_permission(self, request) -> bool:
        return False
