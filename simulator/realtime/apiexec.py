"""`kubectl exec` over the WebSocket subprotocols `v5.channel.k8s.io` and `v4.channel.k8s.io`
(kubectl 1.30+), an ASGI app for `/k8s/<credential>/api/v1/namespaces/<ns>/pods/<pod>/exec`.

Delivery only: the caller is identified and decided like every API request (an exec only runs
the simulated commands of `kubeapi.shell`, which change nothing: it is a read, as the
dashboard's DNS and request questions are); the sandbox comes from `api_selectors`, the framing
from `kubeapi.execstream`. Whatever goes wrong is told on the error channel as a Status, which
kubectl prints.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from simulator import api_selectors, permissions
from simulator.kubeapi import execstream, kubeconfig, routes, status
from simulator.web.apiserver import bearer_of

log = logging.getLogger(__name__)

# With a TTY, kubectl sends the terminal's size (channel 4) as soon as the stream opens, from its
# own goroutine. A command that finishes at once would otherwise close the socket before that
# write, and kubectl then logs `"Encoding terminal size failed" err="websocket: close sent"`
# into the user's output. A real container is sized before it prints, so the session waits
# (briefly) for that first size before running anything.
FIRST_RESIZE_WAIT_S = 2.0


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}


def _open(scope) -> tuple[execstream.ExecStream | None, dict | None]:
    """The exec session the request asks for, or the Status saying why there is none."""
    headers = _headers(scope)
    split = kubeconfig.split_path(scope["path"])
    if split is None:
        return None, status.unknown_path().status
    try:
        caller = api_selectors.identify(split[0], bearer_of(headers))
    except api_selectors.Unauthorized:
        return None, status.ApiError(401, "Unauthorized", "Unauthorized").status
    try:
        route = routes.parse(split[1])
    except status.ApiError as error:
        return None, error.status
    if route.subresource not in ("exec", "attach") or route.resource is None or route.resource.kind != "Pod":
        return None, status.unknown_path().status
    decision = permissions.decide(caller.actor, permissions.Action.API_READ, caller.cluster)
    if not decision:
        reason = status.rbac_denial(caller.user, "create", route.resource, route.namespace)
        error = status.forbidden(route.resource, route.name, f"{reason}: {decision.reason}")
        return None, error.status
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    options = execstream.ExecOptions.from_query(query)
    box = api_selectors.exec_sandbox(caller.cluster, route.namespace or "default", route.name, options.container)
    if isinstance(box, str):
        return None, execstream.runtime_error_status(box)
    return execstream.ExecStream(box, options, scope["_kubeviz_protocol"]), None


async def app(scope, receive, send) -> None:
    """The ASGI app for exec WebSockets under `/k8s/`."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    offered = [p for item in scope.get("subprotocols") or () for p in item.split(",")]
    protocol = execstream.choose_subprotocol(offered)
    if protocol is None:
        await send({"type": "websocket.close", "code": 1002})
        return
    scope = {**scope, "_kubeviz_protocol": protocol}
    await send({"type": "websocket.accept", "subprotocol": protocol})
    try:
        stream, refused = await database_sync_to_async(_open)(scope)
        if stream is None:
            await send({"type": "websocket.send", "bytes": execstream.status_frame(refused)})
            await send({"type": "websocket.close", "code": 1000})
            return
        early: list[dict] = []
        if stream.options.tty:
            early = await _until_first_resize(receive)
        for frame in await database_sync_to_async(stream.open)():
            await send({"type": "websocket.send", "bytes": frame})
        while not stream.finished:
            message = early.pop(0) if early else await receive()
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            if data is None and message.get("text") is not None:
                data = message["text"].encode()
            if not data:
                continue
            for frame in await database_sync_to_async(stream.receive)(data):
                await send({"type": "websocket.send", "bytes": frame})
        await send({"type": "websocket.close", "code": 1000})
    except Exception:  # the session ends with a Status kubectl prints, never a silent hang-up
        log.exception("kubeapi exec")
        body = execstream.runtime_error_status("the simulated command failed; see the kubeviz log")
        await send({"type": "websocket.send", "bytes": execstream.status_frame(body)})
        await send({"type": "websocket.close", "code": 1011})


async def _until_first_resize(receive) -> list[dict]:
    """The messages received up to and including the first terminal-size frame (or a
    disconnect), waiting at most FIRST_RESIZE_WAIT_S; they are handled in order afterwards."""
    held: list[dict] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_RESIZE_WAIT_S
    while (left := deadline - loop.time()) > 0:
        try:
            message = await asyncio.wait_for(receive(), left)
        except TimeoutError:
            break
        held.append(message)
        data = message.get("bytes") or (message.get("text") or "").encode()
        if message["type"] == "websocket.disconnect" or data[:1] == bytes([execstream.RESIZE]):
            break
    return held
