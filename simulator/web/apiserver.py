"""The Kubernetes API of every cluster, for real kubectl (issue 16): an ASGI app under `/k8s/`.

`/k8s/<credential>/api/v1/...`: the credential is the token a kubeconfig carries in its server
URL over http (kubectl sends no credentials there), or the cluster's slug with the token as a
bearer token over https (`api_selectors.identify`). Every request is decided by
`permissions.decide` (API_READ for get, list and watch, API_WRITE for the rest); a refusal is
the API server's `Forbidden` Status with the classroom's reason after it.

Delivery only: the wire formats are `simulator.kubeapi`'s (routes, negotiation, printers,
selection, patch, status, watch), the reads `api_selectors`, the writes `api_services` (the
dashboard's apply and delete, so browsers watching see kubectl's changes live). Watches are
chunked streams fed by the cluster's channel-layer group (the same push the browsers get), so
`kubectl get -w` sees dashboard changes; a client hanging up ends its watch and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

import ujson
import yaml
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from simulator import api_selectors, api_services, permissions, push
from simulator.kubeapi import (
    execstream,
    kubeconfig,
    managed,
    negotiation,
    objects,
    patch,
    printers,
    protowire,
    registry,
    retime,
    routes,
    selection,
    status,
    strict,
    unversioned,
    watch,
    writes,
)
from simulator.realtime import ticker

log = logging.getLogger(__name__)
BOOKMARK_EVERY = 60.0  # seconds between bookmarks of a watch that asked for them
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
READ_VERBS = ("get", "list", "watch")
TABLE_CACHE = 32  # encoded list Tables kept per worker, newest last
_tables: dict[tuple, Reply] = {}


@dataclass
class Reply:
    code: int
    body: bytes
    content_type: str = "application/json"


@dataclass
class WatchRequest:
    resource: registry.Resource
    query: selection.ListQuery
    since: int | None
    table_version: str | None
    include_object: str
    streaming: bool
    timeout: float | None
    bookmarks: bool


def _json(code: int, obj, content_type: str = "application/json") -> Reply:
    text = ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False)
    return Reply(code, text.encode(), content_type)


def _answer(answer: unversioned.Answer) -> Reply:
    if isinstance(answer.body, bytes):
        return Reply(answer.code, answer.body, answer.content_type)
    return _json(answer.code, answer.body, answer.content_type)


def _error(error: status.ApiError) -> Reply:
    return _json(error.code, error.status)


def _when() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _verb(method: str, route: routes.Route, query: dict) -> str:
    if method == "GET":
        if route.name is None:
            return "watch" if (query.get("watch") or [""])[-1] in ("true", "1") else "list"
        return "get"
    return {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method, method.lower())


def _decide(caller: api_selectors.Caller, verb: str) -> permissions.Decision:
    action = permissions.Action.API_READ if verb in READ_VERBS else permissions.Action.API_WRITE
    return permissions.decide(caller.actor, action, caller.cluster)


def _forbidden(caller, verb: str, route: routes.Route, decision: permissions.Decision) -> status.ApiError:
    resource = route.resource
    reason = status.rbac_denial(caller.user, verb, resource, route.namespace)
    if decision.reason:
        reason = f"{reason}: {decision.reason}"
    return status.forbidden(resource, route.name, reason)


def _body_object(body: bytes, content_type: str) -> dict:
    media = content_type.split(";")[0].strip().lower()
    if media == protowire.CONTENT_TYPE:
        return protowire.decode(body)
    try:
        obj = json.loads(body or b"null")
    except ValueError:
        try:
            obj = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise status.bad_request(f"couldn't get version/kind; json parse error: {exc}") from None
    if not isinstance(obj, dict):
        raise status.bad_request("the body of the request is not an object")
    return obj


class Api:
    """One request, answered synchronously (in the database thread); watches return a
    `WatchRequest` that the ASGI app streams."""

    def __init__(self, caller: api_selectors.Caller, token: str):
        self.caller = caller
        self.token = token

    def handle(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply | WatchRequest:
        command = headers.get("kubectl-command", "")
        if command.startswith("kubectl ") and len(command) <= 60:
            # Who did it, as the browsers' change toast and log name it: "Ana (kubectl scale)".
            actor = dataclasses.replace(self.caller.actor, name=f"{self.caller.actor.name} ({command})")
            self.writer = dataclasses.replace(self.caller, actor=actor)
        else:
            self.writer = self.caller
        try:
            return self._route(method, path, query, headers, body)
        except status.ApiError as error:
            return _error(error)

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> Reply | WatchRequest:
        route = routes.parse(path)
        unversioned_answer = unversioned.answer(
            route, headers.get("accept"), headers.get("host", "127.0.0.1"), self.token
        )
        if unversioned_answer is not None:
            return _answer(unversioned_answer)
        verb = _verb(method, route, query)
        if route.resource.kind == "SelfSubjectAccessReview":
            return self._access_review(body, headers)
        if route.subresource == "exec":
            # A WebSocket GET reaches realtime.apiexec; kubectl 1.27-1.29 POST an SPDY upgrade.
            raise execstream.spdy_rejection(headers.get("user-agent"))
        decision = _decide(self.caller, "get" if route.subresource == "log" else verb)
        if not decision:
            raise _forbidden(self.caller, verb, route, decision)
        return self._resource(method, verb, route, query, headers, body)

    def _access_review(self, body: bytes, headers: dict) -> Reply:
        review = _body_object(body, headers.get("content-type", ""))
        attributes = (review.get("spec") or {}).get("resourceAttributes") or {}
        decision = _decide(self.caller, attributes.get("verb", "get"))
        return _json(201, objects.access_review_answer(review, allowed=bool(decision), reason=decision.reason))

    # ------------------------------------------------------------------ resources
    def _resource(self, method: str, verb: str, route: routes.Route, query: dict, headers: dict, body: bytes):
        resource = route.resource
        kind = resource.kind
        accept = headers.get("accept")
        content_type = headers.get("content-type", "")

        def first(name: str) -> str | None:
            return (query.get(name) or [None])[-1]

        if verb == "watch":
            chosen = negotiation.for_resource(accept)
            timeout = first("timeoutSeconds")
            return WatchRequest(
                resource,
                selection.ListQuery(route.namespace, first("labelSelector"), first("fieldSelector")),
                watch.parse_resource_version(first("resourceVersion")),
                chosen.version if chosen.form == "table" else None,
                first("includeObject") or "Metadata",
                first("sendInitialEvents") == "true",
                float(timeout) if timeout and timeout.isdigit() else None,
                first("allowWatchBookmarks") == "true",
            )
        only = None if verb == "list" or method == "POST" else (route.namespace, route.name)
        snap = api_selectors.snapshot(self.caller.cluster, kind, only=only)
        if verb == "list":
            wanted = selection.ListQuery(route.namespace, first("labelSelector"), first("fieldSelector"))
            chosen = negotiation.for_resource(accept)
            if chosen.form != "table":
                walled = [snap.wall(kind, o) for o in selection.select(kind, snap.items, wanted)]
                return _json(200, selection.list_object(kind, resource.api_version, walled, snap.resource_version))
            include = first("includeObject") or "Metadata"
            # A class running `kubectl get pods -A` together asks the same thing at the same
            # version and clock: the encoded Table is made once.
            cluster = self.caller.cluster
            key = (cluster.pk, str(cluster.incarnation), snap.version, snap.now, kind, wanted, include, chosen.version)
            found = _tables.get(key)
            if found is None:
                table = printers.table(
                    kind,
                    selection.select(kind, snap.items, wanted),
                    snap.now,
                    resource_version=snap.resource_version,
                    include_object=include,
                    version=chosen.version,
                    cache=api_selectors.row_cache(cluster),
                )
                found = _json(200, table)
                _tables[key] = found
                while len(_tables) > TABLE_CACHE:
                    _tables.pop(next(iter(_tables)))
            return found
        if method == "POST":
            return self._create(route, query, content_type, body)
        live = api_selectors.find(snap, route.namespace if resource.namespaced else None, route.name)
        if route.subresource == "log":
            if live is None:
                raise status.not_found(resource, route.name)
            return Reply(200, writes.pod_log(snap.wall(kind, live), first("container")).encode(), "text/plain")
        if route.subresource == "scale":
            return self._scale(method, route, query, live, content_type, body)
        if method == "GET":
            if live is None:
                raise status.not_found(resource, route.name)
            chosen = negotiation.for_resource(accept)
            if chosen.form == "table":
                rv = live["metadata"].get("resourceVersion")
                return _json(200, printers.table(kind, [live], snap.now, resource_version=rv, version=chosen.version))
            return _json(200, snap.wall(kind, live))
        options = writes.WriteOptions.from_query(query)
        manager = options.field_manager or "unknown"
        if method == "PATCH" and content_type.split(";")[0].strip() == patch.APPLY_PATCH:
            applied = patch.decode_body(body, patch.APPLY_PATCH)
            if not isinstance(applied, dict):
                raise status.bad_request("the applied configuration is not an object")
            strict.check(kind, resource.version, applied, options.field_validation or "Strict")
            if options.field_manager is None:
                raise status.bad_request("PATCH, application/apply-patch+yaml requires fieldManager to be set")
            result = managed.apply(kind, resource, live, applied, manager, force=options.force, when=_when())
            result.setdefault("metadata", {})["name"] = route.name
            if resource.namespaced:
                result["metadata"]["namespace"] = route.namespace
            written = api_services.object_write(
                self.writer, resource, result, creating=live is None, dry_run=options.dry_run
            )
            return _json(201 if live is None else 200, written)
        if live is None:
            raise status.not_found(resource, route.name)
        if method == "PATCH":
            patched = patch.apply_patch(kind, live, body, content_type)
            patched = managed.record_update(kind, live, patched, manager, resource.api_version, _when())
            strict.check(kind, resource.version, patched, options.field_validation)
            rv = live["metadata"].get("resourceVersion")
            sent_rv = (patched.get("metadata") or {}).get("resourceVersion")
            written = api_services.object_write(
                self.writer,
                resource,
                patched,
                creating=False,
                base_resource_version=sent_rv if sent_rv != rv else None,
                dry_run=options.dry_run,
            )
            return _json(200, written)
        if method == "PUT":
            obj = _body_object(body, content_type)
            strict.check(kind, resource.version, obj, options.field_validation)
            obj = writes.check_namespace(resource, route.namespace, obj)
            obj = writes.check_update(resource, live, obj)
            obj = managed.record_update(kind, live, obj, manager, resource.api_version, _when())
            rv = live["metadata"].get("resourceVersion")
            written = api_services.object_write(
                self.writer, resource, obj, creating=False, base_resource_version=rv, dry_run=options.dry_run
            )
            return _json(200, written)
        if method == "DELETE":
            delete = writes.DeleteOptions.from_request(query, body)
            delete.check(resource, live)
            gone = api_services.object_delete(
                self.writer, resource, route.namespace, route.name, dry_run=delete.dry_run, grace=delete.grace_period
            )
            if kind == "Pod":
                # The pod registry returns the object (ReturnDeletedObject): a graceful deletion's
                # with its deletionTimestamp, which kubectl then waits on until it is gone.
                return _json(200, gone)
            uid = live["metadata"].get("uid", "")
            return _json(200, status.success(name=route.name, group=resource.group, kind=resource.resource, uid=uid))
        raise status.method_not_supported(resource, method.lower())

    def _create(self, route: routes.Route, query: dict, content_type: str, body: bytes) -> Reply:
        resource = route.resource
        if route.name is not None:
            raise status.method_not_supported(resource, "create")
        options = writes.WriteOptions.from_query(query)
        obj = _body_object(body, content_type)
        strict.check(resource.kind, resource.version, obj, options.field_validation)
        obj = writes.check_namespace(resource, route.namespace, obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + secrets.token_hex(3)[:5]
            else:
                raise status.ApiError(
                    422,
                    "Invalid",
                    f'{resource.qualified_kind} "" is invalid: metadata.name: Required value: name or generateName is required',
                    group=resource.group,
                    kind=resource.kind,
                    causes=(
                        status.Cause(
                            "FieldValueRequired", "Required value: name or generateName is required", "metadata.name"
                        ),
                    ),
                )
        if options.field_manager:
            obj = managed.record_update(resource.kind, None, obj, options.field_manager, resource.api_version, _when())
        written = api_services.object_write(self.writer, resource, obj, creating=True, dry_run=options.dry_run)
        return _json(201, written)

    def _scale(self, method: str, route: routes.Route, query: dict, live: dict | None, content_type: str, body: bytes):
        resource = route.resource
        if live is None:
            raise status.not_found(resource, route.name)
        selector = printers.format_label_selector((live.get("spec") or {}).get("selector"))
        scale = objects.scale_of(live, selector)
        if method == "GET":
            return _json(200, scale)
        if method == "PATCH":
            scale = patch.apply_patch("Scale", scale, body, content_type)
        elif method == "PUT":
            scale = _body_object(body, content_type)
        else:
            raise status.method_not_supported(resource, method.lower())
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise status.from_field_messages(
                resource,
                route.name,
                [("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")],
            )
        options = writes.WriteOptions.from_query(query)
        written = api_services.object_write(
            self.writer, resource, objects.with_scale(live, scale), creating=False, dry_run=options.dry_run
        )
        return _json(200, objects.scale_of(written, selector))


# ---------------------------------------------------------------------- ASGI
def _headers(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers") or ():
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def bearer_of(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


async def _send_reply(send, reply: Reply) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": reply.code,
            "headers": [
                (b"content-type", reply.content_type.encode()),
                (b"content-length", str(len(reply.body)).encode()),
                (b"cache-control", b"no-cache, private"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})


async def app(scope, receive, send) -> None:
    """The ASGI app for `/k8s/...` HTTP requests."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    headers = _headers(scope)
    split = kubeconfig.split_path(scope["path"])
    if split is None:
        await _send_reply(send, _error(status.unknown_path()))
        return
    credential, path = split
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    try:
        caller = await database_sync_to_async(api_selectors.identify)(credential, bearer_of(headers))
    except api_selectors.Unauthorized:
        await _send_reply(send, _json(401, status.ApiError(401, "Unauthorized", "Unauthorized").status))
        return
    api = Api(caller, credential)
    try:
        reply = await database_sync_to_async(api.handle)(scope["method"], path, query, headers, body)
    except Exception:  # an API server answers every request, its own failures included
        log.exception("kubeapi %s %s", scope["method"], path)
        reply = _error(status.internal("the server failed to answer this request; see the kubeviz log"))
    if _kubelets_busy(caller.cluster) or (scope["method"] in WRITE_METHODS and reply.code < 400):
        # A write may have deleted pods (a delete, a scale-down, a rollout): their kubelets stop
        # them on the clock's ticks, paused or not, whoever watches. A request to a cluster whose
        # pods are still stopping does the same (the worker that ticked them may have restarted:
        # `kubectl get` or `kubectl wait --for=delete` then sees them go).
        ticker.keep_kubelets(caller.cluster.pk)
    if isinstance(reply, WatchRequest):
        await _stream_watch(caller, reply, receive, send)
        return
    await _send_reply(send, reply)


def _kubelets_busy(cluster) -> bool:
    """The cluster's row says its kubelets still have deleted pods to stop (kubelet/termination)."""
    return bool((cluster.state or {}).get("terminating"))


async def _stream_watch(caller: api_selectors.Caller, request: WatchRequest, receive, send) -> None:
    """A watch: the first events, then the changes each push of the cluster brings, until the
    client hangs up or `timeoutSeconds` pass."""
    resource, kind = request.resource, request.resource.kind
    matches = request.query.predicate(kind)
    cluster = caller.cluster
    layer = get_channel_layer()
    channel = await layer.new_channel() if layer is not None else None
    if channel is not None:
        await layer.group_add(push.group_name(cluster.pk), channel)
    try:
        try:
            start = await database_sync_to_async(api_selectors.watch_start)(
                cluster, kind, resource.api_version, request.since, matches, request.streaming
            )
        except status.ApiError as error:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": _encode_error(error), "more_body": False})
            return
        clock = {"now": start.now, "offset": start.offset}
        encoder = watch.WatchEncoder(
            kind, table_version=request.table_version, include_object=request.include_object, clock=lambda: clock["now"]
        )

        def lines(events) -> bytes:
            out = []
            for event in events:
                if request.table_version is None and event.type != watch.BOOKMARK:
                    event = watch.Event(event.type, retime.shift(kind, event.object, clock["offset"]))
                out.append(encoder.encode(event))
            return b"".join(out)

        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-cache, private")],
            }
        )
        await send({"type": "http.response.body", "body": lines(start.events), "more_body": True})
        seen = start.resource_version
        disconnected = asyncio.ensure_future(_wait_disconnect(receive))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + request.timeout if request.timeout else None
        next_bookmark = loop.time() + BOOKMARK_EVERY
        try:
            while not disconnected.done():
                wait = min(next_bookmark, deadline or next_bookmark) - loop.time()
                if wait <= 0:
                    if deadline is not None and loop.time() >= deadline:
                        break
                    if request.bookmarks:
                        bookmark = watch.bookmark(kind, resource.api_version, seen)
                        await send({"type": "http.response.body", "body": encoder.encode(bookmark), "more_body": True})
                    next_bookmark = loop.time() + BOOKMARK_EVERY
                    continue
                if channel is None:
                    await asyncio.wait([disconnected], timeout=wait)
                    continue
                got = asyncio.ensure_future(layer.receive(channel))
                done, _pending = await asyncio.wait(
                    [got, disconnected], timeout=wait, return_when=asyncio.FIRST_COMPLETED
                )
                if got not in done:
                    got.cancel()
                    continue
                message = got.result()
                if message.get("type") == "cluster.access":
                    decision = await database_sync_to_async(_decide)(caller, "watch")
                    if not decision:
                        break
                    continue
                if message.get("type") != "cluster.change":
                    continue
                try:
                    nxt = await database_sync_to_async(api_selectors.watch_next)(cluster, kind, seen, matches)
                except status.ApiError as error:
                    await send({"type": "http.response.body", "body": _encode_error(error), "more_body": True})
                    break
                except Exception:  # the cluster went away
                    log.exception("kubeapi watch of %s", kind)
                    break
                clock["now"], clock["offset"] = nxt.now, nxt.offset
                seen = nxt.resource_version
                if nxt.events:
                    await send({"type": "http.response.body", "body": lines(nxt.events), "more_body": True})
        finally:
            disconnected.cancel()
        with contextlib.suppress(Exception):  # the client may be gone already
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        if channel is not None:
            await layer.group_discard(push.group_name(cluster.pk), channel)


def _encode_error(error: status.ApiError) -> bytes:
    return json.dumps({"type": watch.ERROR, "object": error.status}, separators=(",", ":")).encode() + b"\n"


async def _wait_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
