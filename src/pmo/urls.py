"""URL map: web pages, the API under /api/v1/, the admin and the health check."""

from django.contrib import admin
from django.urls import include, path

from pmo.api.main import api
from pmo.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("pmo.web.urls")),
]
