"""Admin of meters and readings. A reading typed here goes through the same check as every other source
(``raschet.metering.services``); an implausible one is kept only when the operator confirms it."""

from django import forms
from django.contrib import admin

from raschet.metering import models
from raschet.metering.services import ReadingIn, check_readings
from raschet.plain_numbers import BoundedNumbers, PlainDecimalField


class ReadingForm(forms.ModelForm):
    confirmed = forms.BooleanField(label="подтверждаю", required=False,
                                   help_text="Показание проверено у абонента, хотя расход необычно велик.")

    class Meta:
        model = models.Reading
        fields = ("meter", "date", "zone", "value", "source")
        field_classes = {"value": PlainDecimalField}

    def clean(self):
        cleaned = super().clean()
        meter_id = self.instance.meter_id or getattr(cleaned.get("meter"), "pk", None)
        if meter_id and cleaned.get("date") and cleaned.get("value") is not None and not self.errors:
            item = ReadingIn(meter_id, cleaned["date"], cleaned["value"], "показание", cleaned.get("zone") or "total")
            _, problems = check_readings([item], confirmed=cleaned.get("confirmed", False), exclude=self.instance.pk)
            for found in problems:
                self.add_error("value", found.message)
        return cleaned


class ReadingInline(BoundedNumbers, admin.TabularInline):
    model = models.Reading
    form = ReadingForm
    extra = 1
    fields = ("date", "zone", "value", "confirmed", "source", "entered_by")
    readonly_fields = ("entered_by",)
    ordering = ("-date", "zone")


@admin.register(models.Meter)
class MeterAdmin(BoundedNumbers, admin.ModelAdmin):
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
class ReadingAdmin(BoundedNumbers, admin.ModelAdmin):
    form = ReadingForm
    list_display = ("meter", "date", "zone", "value", "source", "entered_by", "entered_at")
    list_filter = ("source", "zone")
    search_fields = ("=meter__code", "meter__serial", "=meter__account__number")
    date_hierarchy = "date"
    raw_id_fields = ("meter",)
    readonly_fields = ("entered_by", "entered_at")
    show_full_result_count = False
