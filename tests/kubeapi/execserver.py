"""A test server that also speaks exec over WebSocket, for real kubectl 1.30+.

The websockets library's synchronous server: plain GETs (discovery, the pod) are answered by
kubeserver.Api from `process_request`; the exec upgrade is served by
simulator.kubeapi.execstream with a sandbox of the engine's pod. Only GET requests are carried
(websockets parses no request bodies), which is all `kubectl exec` sends before the upgrade.
"""

from __future__ import annotations

import http
import threading
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Response
from websockets.sync.server import serve

from simulator.kubeapi import execstream, kubeconfig, routes, sandbox, status
from tests.kubeapi.kubeserver import Api, KubeServer, Store


class ExecServer(KubeServer):
    def __init__(self, engine, objects, secret: str = "test-secret"):
        self.engine = engine
        self.store = Store({k: list(v) for k, v in objects.items()})
        self.secret = secret
        self.api = Api(self.store, secret)
        self.server = serve(
            self._session,
            "127.0.0.1",
            0,
            subprotocols=list(execstream.SUPPORTED),
            select_subprotocol=lambda connection, offered: execstream.choose_subprotocol(offered),
            process_request=self._process_request,
            compression=None,
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def _process_request(self, connection, request):
        if (request.headers.get("Upgrade") or "").lower() == "websocket":
            return None
        reply = self.api.handle("GET", request.path, request.headers, b"")
        headers = Headers([("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body)))])
        return Response(reply.code, http.HTTPStatus(reply.code).phrase, headers, reply.body)

    def _session(self, connection) -> None:
        parts = urlsplit(connection.request.path)
        token, path = kubeconfig.split_path(parts.path)
        kubeconfig.read_token(self.secret, token)
        route = routes.parse(path)
        if route.subresource != "exec":
            connection.close()
            return
        pod = self.engine.get("Pod", route.namespace, route.name)
        if pod is None:
            connection.send(execstream.status_frame(status.not_found(route.resource, route.name).status))
            connection.close()
            return
        options = execstream.ExecOptions.from_query(parse_qs(parts.query))
        stream = execstream.ExecStream(
            sandbox.sandbox_for(self.engine, pod, options.container), options, connection.subprotocol
        )
        for message in stream.open():
            connection.send(message)
        while not stream.finished:
            for message in stream.receive(connection.recv()):
                connection.send(message)
        connection.close()

    def __enter__(self) -> ExecServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
