"""A tiny API server for tests, built only on simulator.kubeapi's pure functions.

Not the product's server (that is the wiring step, on daphne): a threaded http.server over an
in-memory list of objects (the engine's served objects at start), enough for real kubectl to
run discovery, get (Tables), create (JSON or protobuf), patch, delete and api-resources against
it, and to record every request it sends. The credential travels in the URL path as the
kubeconfig module prescribes.
"""

from __future__ import annotations

import copy
import datetime
import http.server
import json
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

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
    routes,
    selection,
    status,
    strict,
    unversioned,
    watch,
    writes,
)

NOW = datetime.datetime(2026, 1, 1, 0, 10, 0, tzinfo=datetime.UTC)
WHEN = "2026-01-01T00:09:00Z"  # the time every write of the test server happens at


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    accept: str
    content_type: str
    body: bytes


@dataclass
class Store:
    objects: dict[str, list[dict]]  # kind -> objects
    resource_version: int = 1000
    requests: list[Recorded] = field(default_factory=list)
    created: list[dict] = field(default_factory=list)  # what create requests decoded to
    history: watch.History = field(default_factory=watch.History)
    closed: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, kind: str, old: dict | None, new: dict | None) -> None:
        with self.changed:
            self.history.record(watch.Change(self.resource_version, kind, old, new))
            self.changed.notify_all()

    def find(self, kind: str, namespace: str | None, name: str) -> dict | None:
        for obj in self.objects.get(kind, []):
            meta = obj["metadata"]
            if meta["name"] == name and (namespace is None or meta.get("namespace") == namespace):
                return obj
        return None

    def bump(self) -> str:
        self.resource_version += 1
        return str(self.resource_version)

    def __post_init__(self) -> None:
        self.history = watch.History(oldest=self.resource_version)


class Reply(Exception):
    """The answer to a request: (code, content type, body)."""

    def __init__(self, code: int, body: bytes, content_type: str = "application/json", stream=None):
        super().__init__(code)
        self.code, self.body, self.content_type = code, body, content_type
        self.stream = stream  # an iterator of chunks for a watch


def _json(code: int, obj, content_type: str = "application/json") -> Reply:
    return Reply(code, json.dumps(obj).encode(), content_type)


class Api:
    """The requests kubectl sends, answered with simulator.kubeapi's functions."""

    def __init__(self, store: Store, secret: str):
        self.store = store
        self.secret = secret

    def handle(self, method: str, raw_path: str, headers, body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        split = kubeconfig.split_path(parts.path)
        query = parse_qs(parts.query)
        self.store.requests.append(
            Recorded(
                method,
                split[1] if split else parts.path,
                query,
                headers.get("Accept", "") or "",
                headers.get("Content-Type", "") or "",
                body,
            )
        )
        try:
            if split is None:
                raise status.unknown_path()
            try:
                kubeconfig.read_token(self.secret, split[0])
            except kubeconfig.BadToken:
                raise status.ApiError(401, "Unauthorized", "Unauthorized") from None
            self._token = split[0]
            return self._route(method, split[1], query, headers, body)
        except Reply as reply:
            return reply
        except status.ApiError as error:
            return _json(error.code, error.status)

    def token_of(self, headers) -> str:
        return self._token

    def _route(self, method: str, path: str, query: dict, headers, body: bytes) -> Reply:
        route = routes.parse(path)
        answer = unversioned.answer(route, headers.get("Accept"), "127.0.0.1", self.token_of(headers))
        if answer is not None:
            if isinstance(answer.body, bytes):
                raise Reply(answer.code, answer.body, answer.content_type)
            raise _json(answer.code, answer.body, answer.content_type)
        if route.subresource == "exec":
            # Only a WebSocket GET can carry exec here; kubectl 1.27-1.29 POST an SPDY upgrade.
            raise execstream.spdy_rejection(headers.get("User-Agent"))
        return self._resource(method, route, query, headers, body)

    def _resource(self, method: str, route: routes.Route, query: dict, headers, body: bytes) -> Reply:
        resource = route.resource
        kind = resource.kind
        accept = headers.get("Accept")
        content_type = headers.get("Content-Type") or ""
        first = lambda name: (query.get(name) or [None])[-1]  # noqa: E731
        if method == "GET" and route.name is None and first("watch") in ("true", "1"):
            wanted = selection.ListQuery(route.namespace, first("labelSelector"), first("fieldSelector"))
            streaming = first("sendInitialEvents") == "true"
            return self._watch(resource, wanted, first("resourceVersion"), negotiation.for_resource(accept), streaming)
        if method == "GET" and route.name is None:
            wanted = selection.ListQuery(route.namespace, first("labelSelector"), first("fieldSelector"))
            items = selection.select(kind, self.store.objects.get(kind, []), wanted)
            rv = str(self.store.resource_version)
            chosen = negotiation.for_resource(accept)
            if chosen.form == "table":
                include = first("includeObject") or "Metadata"
                raise _json(
                    200,
                    printers.table(
                        kind, items, NOW, resource_version=rv, include_object=include, version=chosen.version
                    ),
                )
            raise _json(200, selection.list_object(kind, resource.api_version, items, rv))
        live = self.store.find(kind, route.namespace, route.name) if route.name else None
        if route.subresource == "scale":
            if live is None:
                raise status.not_found(resource, route.name)
            selector = printers.format_label_selector((live.get("spec") or {}).get("selector"))
            scale = objects.scale_of(live, selector)
            if method == "PATCH":
                scale = patch.apply_patch("Scale", scale, body, content_type)
                updated = objects.with_scale(live, scale)
                updated["metadata"] = {**live["metadata"], "resourceVersion": self.store.bump()}
                items = self.store.objects[kind]
                items[items.index(live)] = updated
                scale = objects.scale_of(updated, selector)
            raise _json(200, scale)
        if method == "GET":
            if live is None:
                raise status.not_found(resource, route.name)
            chosen = negotiation.for_resource(accept)
            if chosen.form == "table":
                rv = live["metadata"].get("resourceVersion")
                raise _json(200, printers.table(kind, [live], NOW, resource_version=rv, version=chosen.version))
            raise _json(200, live)
        if method == "POST":
            if content_type.split(";")[0] == protowire.CONTENT_TYPE:
                obj = protowire.decode(body)
            else:
                obj = json.loads(body)
            self.store.created.append(copy.deepcopy(obj))
            strict.check(kind, resource.version, obj, first("fieldValidation"))
            if kind == "SelfSubjectAccessReview":  # the test server allows everything but deleting nodes
                attributes = (obj.get("spec") or {}).get("resourceAttributes") or {}
                allowed = not (attributes.get("verb") == "delete" and attributes.get("resource") == "nodes")
                raise _json(201, objects.access_review_answer(obj, allowed=allowed))
            meta = obj.setdefault("metadata", {})
            if route.namespace:
                meta["namespace"] = route.namespace
            if self.store.find(kind, meta.get("namespace"), meta["name"]) is not None:
                raise status.already_exists(resource, meta["name"])
            meta.update(
                uid=str(uuid.uuid4()), resourceVersion=self.store.bump(), creationTimestamp="2026-01-01T00:09:00Z"
            )
            obj.setdefault("apiVersion", resource.api_version)
            obj.setdefault("kind", kind)
            self.store.objects.setdefault(kind, []).append(obj)
            self.store.record(kind, None, obj)
            raise _json(201, obj)
        manager = first("fieldManager") or "unknown"
        if method == "PATCH" and content_type.split(";")[0] == patch.APPLY_PATCH:
            applied = patch.decode_body(body, patch.APPLY_PATCH)
            strict.check(kind, resource.version, applied, first("fieldValidation"))
            result = managed.apply(kind, resource, live, applied, manager, force=first("force") == "true", when=WHEN)
            meta = result.setdefault("metadata", {})
            if live is None:
                meta.update(namespace=route.namespace, uid=str(uuid.uuid4()), creationTimestamp="2026-01-01T00:09:00Z")
                meta["resourceVersion"] = self.store.bump()
                self.store.objects.setdefault(kind, []).append(result)
                self.store.record(kind, None, result)
                raise _json(201, result)
            meta["resourceVersion"] = self.store.bump()
            items = self.store.objects[kind]
            items[items.index(live)] = result
            self.store.record(kind, live, result)
            raise _json(200, result)
        if live is None:
            raise status.not_found(resource, route.name)
        if method == "PATCH":
            patched = patch.apply_patch(kind, live, body, content_type)
            patched = managed.record_update(kind, live, patched, manager, resource.api_version, WHEN)
            strict.check(kind, resource.version, patched, first("fieldValidation"))
            if writes.WriteOptions.from_query(query).dry_run:
                raise _json(200, patched)
            patched["metadata"]["resourceVersion"] = self.store.bump()
            items = self.store.objects[kind]
            items[items.index(live)] = patched
            self.store.record(kind, live, patched)
            raise _json(200, patched)
        if method == "DELETE":
            self.store.objects[kind].remove(live)
            self.store.record(kind, live, None)
            raise _json(
                200,
                status.success(
                    name=route.name, group=resource.group, kind=resource.resource, uid=live["metadata"]["uid"]
                ),
            )
        raise status.method_not_supported(resource, method.lower())

    def _watch(
        self, resource, wanted: selection.ListQuery, resource_version: str | None, chosen, streaming: bool
    ) -> Reply:
        kind = resource.kind
        matches = wanted.predicate(kind)
        since = watch.parse_resource_version(resource_version)
        encoder = watch.WatchEncoder(
            kind, table_version=chosen.version if chosen.form == "table" else None, clock=lambda: NOW
        )
        store = self.store

        def stream():
            with store.changed:
                current = selection.select(kind, store.objects.get(kind, []), wanted)
                if streaming:
                    events = watch.streaming_list_events(kind, resource.api_version, current, store.history.current)
                    seen = store.history.current
                elif since is None:
                    events = watch.initial_events(current)
                    seen = store.history.current
                else:
                    changes = store.history.since(since)
                    events = [e for e in (watch.filter_change(c, matches) for c in changes if c.kind == kind) if e]
                    seen = store.history.current
            yield from encoder.encode_all(events)
            while not store.closed:
                with store.changed:
                    store.changed.wait_for(lambda last=seen: store.closed or store.history.current > last, timeout=1)
                    changes = store.history.since(seen)
                    seen = store.history.current
                for change in changes:
                    event = watch.filter_change(change, matches) if change.kind == kind else None
                    if event is not None:
                        yield encoder.encode(event)

        raise Reply(200, b"", "application/json", stream=stream())


class Handler(http.server.BaseHTTPRequestHandler):
    api: Api
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.api.handle(method, self.path, self.headers, body)
        if reply.stream is not None:
            self.send_response(reply.code)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for chunk in reply.stream:
                    if chunk:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up: the watch ends
            self.close_connection = True
            return
        self.send_response(reply.code)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")


class KubeServer:
    """Start with `with KubeServer(objects) as server:`; `server.kubeconfig(path)` writes a
    kubeconfig for it."""

    def __init__(self, objects: dict[str, list[dict]], secret: str = "test-secret"):
        self.store = Store(copy.deepcopy(objects))
        self.secret = secret
        self.api = Api(self.store, secret)
        handler = type("BoundHandler", (Handler,), {"api": self.api})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def kubeconfig(self, path, *, cluster: str = "demo", user: str = "student") -> str:
        token = kubeconfig.make_token(self.secret, cluster, user)
        path.write_text(kubeconfig.render(base=self.base, cluster=cluster, user=user, token=token))
        return str(path)

    def __enter__(self) -> KubeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        with self.store.changed:
            self.store.closed = True
            self.store.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


__all__ = ["NOW", "KubeServer", "registry"]
