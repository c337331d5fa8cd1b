from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import path, re_path

from simulator import views

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/<slug:slug>/", views.cluster, name="cluster"),
    path("clusters/<slug:slug>/delete-object/", views.delete_object, name="cluster-delete-object"),
    path("clusters/<slug:slug>/clock/", views.clock, name="cluster-clock"),
    path("clusters/<slug:slug>/fork/", views.fork, name="cluster-fork"),
    path("clusters/<slug:slug>/export.yaml", views.export, name="cluster-export"),
    path("clusters/<slug:slug>/snapshot.json", views.snapshot_json, name="cluster-snapshot"),
    path("admin/", admin.site.urls),
    # daphne serves the app alone (no separate web server in the embedded setup), so Django serves
    # the bundle too: from STATICFILES_DIRS through the staticfiles finders, whatever DEBUG says.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
