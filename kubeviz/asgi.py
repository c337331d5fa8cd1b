"""ASGI entry point: HTTP through Django, websockets through Channels (session auth, Origin check);
the first request a worker serves starts its schedule of pruning idle sandboxes."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeviz.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from simulator import repository  # noqa: E402
from simulator.realtime import pruner, routing  # noqa: E402

application = pruner.PruneOnSchedule(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routing.websocket_urlpatterns))),
        }
    )
)

# Everything imported so far (Django, Channels, the engine: a few hundred thousand objects) lives
# as long as the worker: out of the garbage collector's walks from now on.
repository.freeze_long_lived()
