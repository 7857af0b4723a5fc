"""URLs of the cash desk (under ``/cash/``; names without a namespace, as the layout's navigation knows them)."""

from django.urls import path

from raschet.payments import views

urlpatterns = [
    path("", views.cash_desk, name="cash_desk"),
    path("receipt/<int:payment_id>/", views.receipt, name="cash_receipt"),
    path("shift/", views.shift_view, name="cash_shift"),
    path("shift/open/", views.shift_open, name="cash_shift_open"),
    path("shift/<int:shift_id>/", views.shift_view, name="cash_shift_detail"),
    path("shift/<int:shift_id>/close/", views.shift_close, name="cash_shift_close"),
]
