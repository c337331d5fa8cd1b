from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/clusters/<slug:slug>/", consumers.ClusterConsumer.as_asgi()),
]
