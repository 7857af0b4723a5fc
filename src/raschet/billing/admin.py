"""Admin of billing: periods, runs with their problems, draft lines and the ledger — read-only, since
money changes only through the services."""

from django.contrib import admin, messages

from raschet.access.readonly import ReadOnlyAdmin
from raschet.billing import models
from raschet.plain_numbers import BoundedNumbers

try:  # the task queue's own admin is English-only; background work is shown as Job below
    from django_tasks_db.models import DBTaskResult

    admin.site.unregister(DBTaskResult)
except (ImportError, admin.sites.NotRegistered):
    pass


@admin.register(models.BillingPeriod)
class BillingPeriodAdmin(ReadOnlyAdmin):
    list_display = ("period", "state", "closed_at")


class CalcProblemInline(admin.TabularInline):
    model = models.CalcProblem
    fields = ("subject", "service", "code", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


class CalcUnitInline(admin.TabularInline):
    model = models.CalcUnit
    fields = ("number", "status", "accounts", "lines", "problems", "timings", "worker", "finished_at", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(models.CalcRun)
class CalcRunAdmin(ReadOnlyAdmin):
    list_display = ("period", "scope", "status", "accounts", "lines", "problems", "started_at", "finished_at")
    list_filter = ("status", "period")
    readonly_fields = ("timings",)
    inlines = [CalcUnitInline, CalcProblemInline]


@admin.register(models.ChargeLine)
class ChargeLineAdmin(ReadOnlyAdmin):
    list_display = ("account", "ref_period", "period", "kind", "service", "supplier", "zone", "date_from", "date_to",
                    "method", "volume_source", "volume", "tariff", "factor", "amount")
    list_filter = ("period", "kind", "service", "method", "volume_source")
    search_fields = ("=account__number",)
    list_select_related = ("account", "service", "supplier")
    show_full_result_count = False


class LedgerColumns(ReadOnlyAdmin):
    list_display = ("account", "period", "ref_period", "kind", "service", "supplier", "volume", "amount", "reason")
    list_filter = ("period", "kind", "service")
    search_fields = ("=account__number",)
    list_select_related = ("account", "service", "supplier")
    show_full_result_count = False


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(LedgerColumns):
    """The whole ledger as it is read: stored entries and the lines of posted runs, one account at a
    time (a region's ledger is hundreds of millions of rows: listing it all would sort them all)."""

    ASK = "Журнал проводок показывается по одному лицевому счёту: введите его номер в поиск."

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.GET.get("q", "").strip() else queryset.none()

    def changelist_view(self, request, extra_context=None):
        if not request.GET.get("q", "").strip():
            messages.info(request, self.ASK)
        return super().changelist_view(request, extra_context)


@admin.register(models.Entry)
class EntryAdmin(LedgerColumns):
    """The entries stored as such: payments, penalties, corrections (and charges posted by copy before)."""


@admin.register(models.RecalcMark)
class RecalcMarkAdmin(ReadOnlyAdmin):
    list_display = ("account", "period", "reason", "created_at")
    list_filter = ("period",)
    search_fields = ("=account__number",)


@admin.register(models.ServiceInterruption)
class ServiceInterruptionAdmin(BoundedNumbers, admin.ModelAdmin):
    list_display = ("service", "building", "account", "date_from", "date_to", "excess_hours", "percent_per_hour",
                    "reason")
    list_filter = ("service",)
    raw_id_fields = ("building", "account")


@admin.register(models.Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "params", "status", "progress", "message", "created_at", "finished_at")
    list_filter = ("status", "kind")

    @admin.display(description="ход")
    def progress(self, job: models.Job) -> str:
        return f"{job.done} / {job.total}" + (f" ({100 * job.done // job.total} %)" if job.total else "")
