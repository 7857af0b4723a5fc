"""URLs of the back office (namespace ``office``, under ``/office/``)."""

from django.urls import path

from raschet.backoffice import views, views_payments, views_reports

app_name = "office"

urlpatterns = [
    path("periods/", views.period_list, name="periods"),
    path("periods/<str:action>/", views.period_action, name="period_action"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job_progress"),
    path("payments/", views_payments.registries, name="payments"),
    path("payments/registries/<int:registry_id>/", views_payments.registry_detail, name="registry"),
    path("payments/suspense/", views_payments.suspense, name="suspense"),
    path("payments/suspense/<int:payment_id>/assign/", views_payments.suspense_assign, name="suspense_assign"),
    path("payments/<int:payment_id>/reverse/", views_payments.payment_reverse, name="payment_reverse"),
    path("reports/", views_reports.report_index, name="reports"),
    path("reports/turnover/", views_reports.turnover, name="turnover"),
    path("reports/ageing/", views_reports.ageing, name="ageing"),
    path("reports/collections/", views_reports.collections, name="collections"),
]
