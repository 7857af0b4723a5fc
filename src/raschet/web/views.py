"""The dashboard: what is in the database at a glance, with links into the admin."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from raschet.housing.models import Account, Building
from raschet.metering.models import Meter, Reading
from raschet.tariffs.models import Organization, Service


@login_required
def dashboard(request):
    counts = [
        ("Дома", Building.objects.count(), "admin:housing_building_changelist"),
        ("Лицевые счета", Account.objects.count(), "admin:housing_account_changelist"),
        ("Организации", Organization.objects.count(), "admin:tariffs_organization_changelist"),
        ("Услуги", Service.objects.count(), "admin:tariffs_service_changelist"),
        ("Приборы учёта", Meter.objects.count(), "admin:metering_meter_changelist"),
        ("Показания", Reading.objects.count(), "admin:metering_reading_changelist"),
    ]
    return render(request, "web/dashboard.html", {**admin.site.each_context(request), "counts": counts,
                                                  "title": "Сводка"})
