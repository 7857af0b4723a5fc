"""URL map of the operator UI."""

from django.contrib import admin
from django.urls import include, path

from raschet.web import views
from raschet.web.api import api
from raschet.workplace.urls import auth_urlpatterns

admin.site.site_header = "Расчёт — администрирование"
admin.site.site_title = "Расчёт"
admin.site.index_title = "Справочники и лицевые счета"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("cash/", include("raschet.payments.urls")),
    path("office/", include("raschet.backoffice.urls")),
    path("api/v1/", api.urls),
    path("controller/", include("raschet.controller.urls")),
    path("lk/", include("raschet.portal.urls")),
    path("", include("raschet.workplace.urls")),
    *auth_urlpatterns,
]
