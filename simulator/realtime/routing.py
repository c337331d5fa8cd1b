from django.urls import path

from . import console, consumers

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/", consumers.ClusterConsumer.as_asgi()),
    path("ws/clusters/<slug:slug>/console/", console.ConsoleConsumer.as_asgi()),
]
