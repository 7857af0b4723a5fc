"""Admin of the address fund: what an operator searches by (account number, address, payer) and the
dated rows edited inline, where they are read."""

from django.contrib import admin

from raschet.housing import models
from raschet.housing.forms import StepInlineFormSet
from raschet.metering.models import Meter
from raschet.plain_numbers import BoundedNumbers
from raschet.tariffs.models import AccountService


class PremisesAreaInline(BoundedNumbers, admin.TabularInline):
    model = models.PremisesArea
    formset = StepInlineFormSet
    extra = 0


class AccountInline(BoundedNumbers, admin.TabularInline):
    model = models.Account
    extra = 0
    fields = ("number", "payer", "share", "opened", "closed")
    show_change_link = True


class PremisesInline(admin.TabularInline):
    model = models.Premises
    extra = 0
    fields = ("number", "kind", "meter_possible")
    show_change_link = True


class BuildingMeterInline(admin.TabularInline):
    model = Meter
    extra = 0
    fields = ("code", "service", "serial", "installed", "removed", "verification_due")
    show_change_link = True
    verbose_name = "общедомовой прибор учёта"
    verbose_name_plural = "общедомовые приборы учёта"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(scope="building").select_related("service")


@admin.register(models.Building)
class BuildingAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("address", "code", "total_area", "common_area", "floors", "heating_mode")
    search_fields = ("address", "code")
    list_filter = ("heating_mode",)
    inlines = [BuildingMeterInline, PremisesInline]


@admin.register(models.Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "meter_possible")
    search_fields = ("building__address", "number", "accounts__number")
    list_filter = ("kind", "meter_possible")
    list_select_related = ("building",)
    autocomplete_fields = ("building",)
    inlines = [PremisesAreaInline, AccountInline]


class ResidentCountInline(BoundedNumbers, admin.TabularInline):
    model = models.ResidentCount
    formset = StepInlineFormSet
    extra = 0


class RegistrationInline(admin.TabularInline):
    model = models.Registration
    formset = StepInlineFormSet
    extra = 0
    autocomplete_fields = ("person",)


class AbsenceInline(admin.TabularInline):
    model = models.Absence
    extra = 0


class AccountServiceInline(admin.TabularInline):
    model = AccountService
    formset = StepInlineFormSet
    extra = 0
    autocomplete_fields = ("service", "supplier")


class AccountMeterInline(admin.TabularInline):
    model = Meter
    fk_name = "account"
    extra = 0
    fields = ("code", "service", "serial", "zones", "installed", "removed", "verification_due")
    show_change_link = True


class ParameterInline(BoundedNumbers, admin.TabularInline):
    model = models.Parameter
    fk_name = "account"
    formset = StepInlineFormSet
    fields = ("key", "value", "valid_from", "valid_to")
    extra = 0


class ChargeLineInline(admin.TabularInline):
    """The last twelve months' lines with how each was computed: the answer to "why this amount"."""

    from raschet.billing.models import ChargeLine as model

    fields = ("ref_period", "period", "kind", "service", "date_from", "date_to", "method", "volume_source", "volume",
              "tariff", "factor", "amount", "how")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "начисления (как рассчитано)"

    @admin.display(description="как рассчитано")
    def how(self, line) -> str:
        if line.explanation is None:  # explained from the blocks all at once, not a block query per row
            explained = self.__dict__.setdefault("_explained", {})  # an inline lives for one request
            if line.pk not in explained:
                from raschet.billing.lines import explanations_of
                from raschet.billing.models import RunStatus

                rows = self.model.objects.filter(account_id=line.account_id, explanation__isnull=True,
                                                 run__status__in=[RunStatus.DONE, RunStatus.POSTED])
                explained.update(explanations_of(rows.values_list("id", "run_id", "account_id")))
            line.explanation = explained.get(line.pk, {})
        return line.explained()

    def get_queryset(self, request):
        from raschet.billing.models import RunStatus

        query = super().get_queryset(request).filter(run__status__in=[RunStatus.DONE, RunStatus.POSTED])
        return query.select_related("service").order_by("-period", "service__code", "date_from")


@admin.register(models.Account)
class AccountAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("number", "payer", "address", "share", "opened", "closed")
    search_fields = ("=number", "payer", "phone", "els", "premises__building__address")
    list_filter = ("closed", "premises__kind", "premises__meter_possible")
    list_select_related = ("premises__building",)
    autocomplete_fields = ("premises",)
    inlines = [ResidentCountInline, RegistrationInline, AccountServiceInline, AccountMeterInline,
               AbsenceInline, ParameterInline, ChargeLineInline]
    show_full_result_count = False

    @admin.display(description="адрес", ordering="premises__building__address")
    def address(self, account: models.Account) -> str:
        return str(account.premises)


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("__str__", "birth_date", "snils", "phone")
    search_fields = ("last_name", "first_name", "snils", "phone", "registrations__account__number")
    inlines = [RegistrationInline]


@admin.register(models.Parameter)
class ParameterAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("key", "value", "building", "premises", "account", "valid_from", "valid_to")
    list_filter = ("key",)
    search_fields = ("key", "account__number", "building__address")
    raw_id_fields = ("building", "premises", "account")


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("person", "account", "kind", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("person__last_name", "account__number")
    autocomplete_fields = ("person", "account")


@admin.register(models.Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("account", "date_from", "date_to", "reason")
    search_fields = ("=account__number",)
    autocomplete_fields = ("account",)
