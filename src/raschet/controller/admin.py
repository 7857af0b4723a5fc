"""Admin of the controllers' routes: a route with its buildings and entrances; what arrived from the
phones (entries, meter checks, seals) is shown read-only, it is changed only through the sync."""

from django.contrib import admin

from raschet.access.readonly import ReadOnlyAdmin
from raschet.controller.models import MeterCheck, Route, RouteStop, Seal, SyncEntry


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 1
    autocomplete_fields = ["building"]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "controller", "valid_from", "valid_to"]
    list_filter = ["controller"]
    search_fields = ["code", "name", "controller__username"]
    inlines = [RouteStopInline]


@admin.register(SyncEntry)
class SyncEntryAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "kind", "status", "route", "user", "meter", "client_id"]
    list_filter = ["kind", "status"]
    search_fields = ["client_id", "meter__code", "meter__serial"]


@admin.register(MeterCheck)
class MeterCheckAdmin(ReadOnlyAdmin):
    list_display = ["checked_on", "meter", "result", "note"]
    list_filter = ["result"]


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["sealed_on", "meter", "number"]
    search_fields = ["number", "meter__code", "meter__serial"]
