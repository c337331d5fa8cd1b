from django.urls import path

from . import board, consumers

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/", consumers.ClusterConsumer.as_asgi()),
    path("ws/classes/<int:pk>/board/", board.BoardConsumer.as_asgi()),
]
