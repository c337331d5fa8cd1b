"""ASGI entry point: HTTP through Django, websockets through Channels (session auth, Origin check);
`/k8s/...` to the Kubernetes API of the clusters (issue 16: kubectl's HTTP requests and exec
WebSockets, which carry their credential in the path and no Origin); the first request a worker
serves starts its schedule of pruning idle sandboxes."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeviz.settings")

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
    # Sessions and CSRF tokens signed with a key everyone can read: refuse to serve.
    raise ImproperlyConfigured(
        "KUBEVIZ_DEBUG is off and KUBEVIZ_SECRET_KEY is not set: the server will not start with the public "
        "development key. Set KUBEVIZ_SECRET_KEY to a long random secret (python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'), or KUBEVIZ_DEBUG=1 on your own laptop."
    )
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from simulator import repository  # noqa: E402
from simulator.realtime import apiexec, pruner, routing  # noqa: E402
from simulator.web import apiserver  # noqa: E402

KUBE_API_PREFIX = "/k8s/"


class KubeApiFirst:
    """Requests under /k8s/ go to the Kubernetes API (HTTP and exec WebSockets), the rest on."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("path", "").startswith(KUBE_API_PREFIX):
            handler = apiserver.app if scope["type"] == "http" else apiexec.app
            return await handler(scope, receive, send)
        return await self.inner(scope, receive, send)


application = pruner.PruneOnSchedule(
    KubeApiFirst(
        ProtocolTypeRouter(
            {
                "http": django_asgi_app,
                "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routing.websocket_urlpatterns))),
            }
        )
    )
)

# Everything imported so far (Django, Channels, the engine: a few hundred thousand objects) lives
# as long as the worker: out of the garbage collector's walks from now on.
repository.freeze_long_lived()
