from django.urls import path

from . import board, console, consumers

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/", consumers.ClusterConsumer.as_asgi()),
    path("ws/clusters/<slug:slug>/console/", console.ConsoleConsumer.as_asgi()),
    path("ws/classes/<int:pk>/board/", board.BoardConsumer.as_asgi()),
]
