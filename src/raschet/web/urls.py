"""URL map of the operator UI."""

from django.contrib import admin
from django.urls import path

from raschet.web import views

admin.site.site_header = "Расчёт — администрирование"
admin.site.site_title = "Расчёт"
admin.site.index_title = "Справочники и лицевые счета"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
]
