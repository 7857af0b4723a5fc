"""URLs of the personal account, mounted at ``/lk/`` (namespace ``portal``)."""

from django.urls import path

from raschet.portal import auth_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("add/", views.add_account, name="add_account"),
    path("pay/test/<str:operation_id>/", views.test_gateway, name="test_gateway"),
    path("pay/done/<str:operation_id>/", views.paid, name="paid"),
    path("pay/callback/<str:gateway>/", views.gateway_callback, name="gateway_callback"),
    *auth_views.urlpatterns,
    path("<str:number>/", views.account, name="account"),
    path("<str:number>/charges/<str:period>/", views.charges, name="charges"),
    path("<str:number>/documents/", views.documents, name="documents"),
    path("<str:number>/documents/<int:document_id>.pdf", views.document_pdf, name="document_pdf"),
    path("<str:number>/readings/", views.meter_readings, name="readings"),
    path("<str:number>/pay/", views.pay, name="pay"),
    path("<str:number>/delivery/", views.delivery, name="delivery"),
]
