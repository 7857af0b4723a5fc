"""URLs of the controller's pages, included under ``/controller/``."""

from django.urls import path

from raschet.controller import views

app_name = "controller"
urlpatterns = [
    path("", views.routes, name="routes"),
    path("route/<int:route_id>/", views.route, name="route"),
    path("sw.js", views.service_worker, name="service_worker"),
]
