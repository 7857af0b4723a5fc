"""Admin of meters and readings."""

from django.contrib import admin

from raschet.metering import models


class ReadingInline(admin.TabularInline):
    model = models.Reading
    extra = 1
    fields = ("date", "zone", "value", "source", "entered_by")
    readonly_fields = ("entered_by",)
    ordering = ("-date", "zone")


@admin.register(models.Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ("code", "serial", "service", "scope", "account", "building", "installed", "removed",
                    "verification_due")
    list_filter = ("scope", "service")
    search_fields = ("=code", "serial", "=account__number", "building__address")
    list_select_related = ("service", "account", "building")
    raw_id_fields = ("building", "premises", "account")
    inlines = [ReadingInline]

    def save_formset(self, request, form, formset, change):
        readings = formset.save(commit=False)
        for reading in readings:
            if isinstance(reading, models.Reading) and reading.entered_by_id is None:
                reading.entered_by = request.user
            reading.save()
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(models.Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("meter", "date", "zone", "value", "source", "entered_by", "entered_at")
    list_filter = ("source", "zone")
    search_fields = ("=meter__code", "meter__serial", "=meter__account__number")
    date_hierarchy = "date"
    raw_id_fields = ("meter",)
    readonly_fields = ("entered_by", "entered_at")
    show_full_result_count = False
