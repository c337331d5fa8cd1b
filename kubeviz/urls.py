from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("simulator.web.urls")),
    path("admin/", admin.site.urls),
    # /static/ is WhiteNoise's (kubeviz/settings.py): daphne serves the app alone, bundle included.
]
