"""URLs of the operator's workplace (namespace ``workplace``; sign-in and sign-out at the root names
``login`` and ``logout`` that Django's settings refer to)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from raschet.workplace import card_views, views

app_name = "workplace"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("health/", views.health, name="health"),
    path("accounts/<str:number>/", card_views.card, name="card"),
]

auth_urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]
