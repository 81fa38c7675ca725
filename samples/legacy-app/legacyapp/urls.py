from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("verifications.urls")),
    path("hello/", views.hello),
    path("api/hello/", views.hello),
    path("healthz/", views.healthz),
]
