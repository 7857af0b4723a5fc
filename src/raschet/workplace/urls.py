"""URLs of the operator's workplace (namespace ``workplace``; sign-in and sign-out at the root names
``login`` and ``logout`` that Django's settings refer to)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from raschet.workplace import card_actions, card_views, views

app_name = "workplace"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("health/", views.health, name="health"),
    path("accounts/<str:number>/", card_views.card_page, name="card"),
    path("accounts/<str:number>/tab/<slug:tab>/", card_views.card_tab, name="card_tab"),
    path("accounts/<str:number>/months/<str:period>/", card_views.card_month, name="card_month"),
    path("accounts/<str:number>/meters/<int:meter_id>/readings/", card_actions.reading, name="card_reading"),
    path("accounts/<str:number>/dated/<slug:kind>/", card_actions.dated, name="card_dated"),
    path("accounts/<str:number>/documents/issue/", card_actions.issue_document, name="card_issue"),
    path("accounts/<str:number>/documents/<int:document_id>.pdf", card_actions.document_pdf, name="card_document"),
]

auth_urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
