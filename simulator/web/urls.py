"""The pages' URLs (the websocket's is in realtime/routing.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/<slug:slug>/", views.cluster, name="cluster"),
    path("clusters/<slug:slug>/delete-object/", views.delete_object, name="cluster-delete-object"),
    path("clusters/<slug:slug>/clock/", views.clock, name="cluster-clock"),
    path("clusters/<slug:slug>/fork/", views.fork, name="cluster-fork"),
    path("clusters/<slug:slug>/export.yaml", views.export, name="cluster-export"),
    path("clusters/<slug:slug>/snapshot.json", views.snapshot_json, name="cluster-snapshot"),
]
