"""Admin of reference data: organisations, services, tariffs, norms, rules, key rates."""

from django.contrib import admin

from raschet.plain_numbers import BoundedNumbers
from raschet.tariffs import models


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "inn", "kpp", "role_names")
    search_fields = ("name", "code", "inn")


@admin.register(models.Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "unit")
    list_filter = ("kind",)
    search_fields = ("name", "code")


class DatedAdmin(BoundedNumbers, admin.ModelAdmin):
    date_hierarchy = "valid_from"
    list_filter = ("service",)
    autocomplete_fields = ("service",)


@admin.register(models.Tariff)
class TariffAdmin(DatedAdmin):
    list_display = ("service", "supplier", "zone", "band", "building", "value", "valid_from", "valid_to")
    list_filter = ("service", "supplier", "zone")
    search_fields = ("service__name", "supplier__name", "building__address")
    autocomplete_fields = ("service", "supplier", "building")


@admin.register(models.Norm)
class NormAdmin(DatedAdmin):
    list_display = ("service", "kind", "basis", "building", "value", "valid_from", "valid_to")
    list_filter = ("service", "kind", "basis")
    search_fields = ("service__name",)
    autocomplete_fields = ("service", "building")


@admin.register(models.CalcRule)
class CalcRuleAdmin(DatedAdmin):
    list_display = ("service", "method", "building", "account", "valid_from", "valid_to")
    list_filter = ("service", "method")
    search_fields = ("service__name", "building__address", "account__number")
    autocomplete_fields = ("service", "building", "account")


@admin.register(models.AccountService)
class AccountServiceAdmin(DatedAdmin):
    list_display = ("account", "service", "supplier", "valid_from", "valid_to")
    list_filter = ("service", "supplier")
    search_fields = ("=account__number",)
    autocomplete_fields = ("account", "service", "supplier")


@admin.register(models.KeyRate)
class KeyRateAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("value", "valid_from", "valid_to", "legal_basis")
