"""The kubectl console's websocket (issue 17): `ws/clusters/<slug>/console/`.

A thin adapter between a browser terminal and one `simulator.console.session.Session` (the
command line, the policy, the real kubectl with its limits). On connect and before every
command it asks `permissions.decide(actor, Action.CONSOLE, cluster)`; kubectl then talks to the
cluster's Kubernetes API (issue 16) with a kubeconfig made for this socket's own actor
(`api_selectors.kubeconfig_for`), so every request it sends is decided again by the same rules,
and every change it makes takes the one write path and push (the diagram shows it live).

Client -> server (JSON):
  {"type": "run", "id": n, "line": "...", "buffer": "<the editor's text>"}
  {"type": "input", "data": "..."}         keystrokes, while `exec -ti` runs
  {"type": "interrupt", "hard": bool}       Ctrl+C (the first goes to an `exec -ti` shell as ^C)
  {"type": "resize", "cols": c, "rows": r}
Server -> client:
  {"type": "hello", "user": ..., "vocabulary": {...}, "limits": {...}}
  {"type": "output", "data": "..."}         as kubectl prints it (terminal bytes, UTF-8)
  {"type": "done", "id": n, "exit": code, "refused"?: sentence, "stopped"?: sentence, "assigned"?: name}
  {"type": "error", "message": ..., "code"?: "forbidden"}
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from .. import api_selectors, permissions, selectors
from ..console import completion
from ..console.runner import Limits, RateLimit, Slots
from ..console.session import Session
from ..live import payloads
from ..permissions import Action
from . import fanout
from .consolemirror import MirrorHook
from .consumers import CLOSE_FORBIDDEN, CLOSE_GONE, TokenBucket

log = logging.getLogger(__name__)

LIMITS = Limits()
# Per server process: one rate limit per user across their consoles, one cap on running kubectl.
RATE = RateLimit(LIMITS.burst, LIMITS.per_second)
SLOTS = Slots(LIMITS.running, LIMITS.queue_seconds)
# The threads that wait on kubectl (a watch holds one until Ctrl+C or its time limit).
EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4 * LIMITS.running, thread_name_prefix="console")
MAX_MESSAGE = 256 * 1024  # a line plus the editor's buffer
MESSAGES_PER_SECOND = 200  # keystrokes of an interactive exec included


def api_base(scope) -> str:
    """Where kubectl reaches this server's Kubernetes API: KUBEVIZ_CONSOLE_API_URL, or the
    address this worker serves on (loopback for a wildcard bind)."""
    configured = settings.KUBEVIZ_CONSOLE_API_URL
    if configured:
        return configured.rstrip("/")
    host, port = (scope.get("server") or ("127.0.0.1", 8000))[:2]
    if port is None:  # a unix socket (daphne -u): the proxy's address must be configured
        return "http://127.0.0.1:8000"
    if host in ("0.0.0.0", "::", "", None):  # a wildcard bind address
        host = "127.0.0.1"
    if ":" in str(host):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def console_kubeconfig(cluster, actor: permissions.Actor, base: str) -> tuple[str, str]:
    """(kubeconfig text, the user key the rate limit counts) for `actor` on `cluster`."""
    student = None
    if actor.student_ids:
        owner = getattr(cluster, "owner_student_id", None)
        student = owner if owner in actor.student_ids else min(actor.student_ids)
    principal = api_selectors.principal_of(actor, student)
    return api_selectors.kubeconfig_for(cluster, principal, base, label=actor.name), principal


class _AccessWatch:
    """What the cluster's relay (`fanout`) needs of a member, for a console socket: it takes no
    changes (the terminal shows kubectl's own output), only `push.access`'s "ask again"."""

    wants_patches = False

    def __init__(self, consumer: ConsoleConsumer):
        self.consumer = consumer
        self.channel_name = consumer.channel_name

    async def send(self, text_data=None):
        return None

    async def recheck_access(self):
        await self.consumer.recheck_access()


class ConsoleConsumer(AsyncWebsocketConsumer):
    cluster = None
    session: Session | None = None
    running: asyncio.Future | None = None  # the command's task (one at a time)
    watch: _AccessWatch | None = None  # our member of the cluster's relay, for push.access
    mirror: MirrorHook | None = None  # the presenter's console goes to followers (consolemirror.py)

    async def connect(self):
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.cluster = await database_sync_to_async(selectors.cluster_by_slug)(slug)
        await self.accept()
        if self.cluster is None:
            await self.send_json(payloads.error("this cluster does not exist", code="gone"))
            await self.close(code=CLOSE_GONE)
            return
        self.actor = await database_sync_to_async(permissions.actor_for)(
            self.scope.get("user"), self.scope.get("session")
        )
        decision = await database_sync_to_async(permissions.decide)(self.actor, Action.CONSOLE, self.cluster)
        if not decision:
            await self.send_json(payloads.error(decision.reason, code="forbidden"))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        text, self.user_key = await database_sync_to_async(console_kubeconfig)(
            self.cluster, self.actor, api_base(self.scope)
        )
        if self.user_key == "anonymous":  # no account, no session: this socket is the person
            self.user_key = f"anonymous:{self.channel_name}"
        self.session = Session(text, user_key=self.user_key, limits=LIMITS, rate=RATE, slots=SLOTS)
        self.mirror = MirrorHook(self.cluster, self.actor)
        self.bucket = TokenBucket(MESSAGES_PER_SECOND)
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.sender = asyncio.ensure_future(self._send_loop())
        # When who may see the cluster changes (a student removed, a sandbox handed back, a
        # deletion), the relay has this socket decide again at once, as the page's socket does.
        self.watch = _AccessWatch(self)
        await fanout.join(self.cluster.pk, self.watch)
        await fanout.flush(self.cluster.pk, self.watch)
        await self.send_json(
            {
                "type": "hello",
                "user": self.actor.name,
                "cluster": self.cluster.slug,
                "vocabulary": completion.vocabulary(),
                "limits": {
                    "seconds": LIMITS.seconds,
                    "watchSeconds": LIMITS.watch_seconds,
                    "outputBytes": LIMITS.output_bytes,
                    "burst": LIMITS.burst,
                    "perSecond": LIMITS.per_second,
                },
            }
        )

    async def disconnect(self, code):
        if self.watch is not None:
            fanout.leave(self.cluster.pk, self.watch)
            self.watch = None
        if self.session is not None:
            session, self.session = self.session, None
            await asyncio.get_running_loop().run_in_executor(EXECUTOR, session.close)
        if getattr(self, "sender", None) is not None:
            self.sender.cancel()
        if self.mirror is not None:
            await self.mirror.close()

    async def send_json(self, payload: dict):
        await self.send(text_data=payloads.encode(payload))

    async def recheck_access(self):
        """`push.access`: decide again; refused, the running command stops and the socket closes."""
        if self.session is None:
            return
        decision = await database_sync_to_async(self.decide)()
        if decision:
            return
        self.session.interrupt()
        await self.send_json(payloads.error(decision.reason, code="forbidden"))
        await self.close(code=CLOSE_FORBIDDEN)

    def decide(self) -> permissions.Decision:
        row = selectors.cluster_by_pk(self.cluster.pk)
        if row is None:
            return permissions.Decision(False, "this cluster was deleted")
        return permissions.decide(self.actor, Action.CONSOLE, row)

    async def _send_loop(self):
        """One sender: output chunks (from kubectl's pump threads) and `done` in order, output
        coalesced while the socket is busy, UTF-8 decoded across chunk boundaries."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            batch = [await self.outbox.get()]
            while not self.outbox.empty():
                batch.append(self.outbox.get_nowait())
            pending = b""
            for item in [*batch, None]:
                if isinstance(item, bytes):
                    pending += item
                    continue
                text = decoder.decode(pending, final=item is not None)
                pending = b""
                if text:
                    await self.send_json({"type": "output", "data": text})
                    await self.mirror.output(text)
                if item is not None:
                    await self.send_json(item)
                    if item.get("type") == "done":
                        await self.mirror.end(item)

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else (bytes_data or b"").decode("utf-8", "replace")
        if self.session is None:
            return
        if len(raw) > MAX_MESSAGE:
            await self.send_json(payloads.error(f"message refused: the console's limit is {MAX_MESSAGE} bytes"))
            return
        if not self.bucket.take():
            await self.send_json(payloads.error(f"too many messages: at most {MESSAGES_PER_SECOND} a second"))
            return
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            await self.send_json(payloads.error("console messages are JSON objects with a `type`"))
            return
        kind = message.get("type")
        if kind == "run":
            await self.on_run(message)
        elif kind == "input" and isinstance(message.get("data"), str):
            self.session.write(message["data"].encode())
        elif kind == "interrupt":
            self.session.interrupt(hard=message.get("hard", True) is not False)
        elif kind == "resize":
            try:
                self.session.resize(int(message.get("cols", 80)), int(message.get("rows", 24)))
            except (TypeError, ValueError):
                await self.send_json(payloads.error("resize needs numbers `cols` and `rows`"))
        else:
            await self.send_json(payloads.error(f"unknown console message type {kind!r}"))

    async def on_run(self, message):
        request_id = message.get("id")
        line, buffer = message.get("line"), message.get("buffer")
        if not isinstance(line, str) or not (buffer is None or isinstance(buffer, str)):
            await self.send_json({"type": "done", "id": request_id, "exit": 2, "refused": "run needs `line`, a string"})
            return
        # Decided again for every command: a student removed from the class, or a sandbox
        # handed back, stops here (and kubectl's own requests are decided by the API too).
        decision = await database_sync_to_async(self.decide)()
        if not decision:
            await self.send_json({"type": "done", "id": request_id, "exit": 1, "refused": decision.reason})
            return
        if self.session.busy:
            await self.send_json(
                {"type": "done", "id": request_id, "exit": 1, "refused": "a command is running: Ctrl+C stops it"}
            )
            return
        await self.mirror.begin(line)
        self.running = asyncio.ensure_future(self._run(request_id, line, buffer))

    async def _run(self, request_id, line: str, buffer: str | None):
        loop = asyncio.get_running_loop()
        outbox = self.outbox
        session = self.session

        def out(chunk: bytes) -> None:
            loop.call_soon_threadsafe(outbox.put_nowait, chunk)

        try:
            outcome = await loop.run_in_executor(EXECUTOR, lambda: session.execute(line, buffer=buffer, on_output=out))
        except Exception:  # a bug must not leave the terminal waiting
            log.exception("console command failed: %r", line)
            await outbox.put({"type": "done", "id": request_id, "exit": 1, "refused": "the console failed to run it"})
            return
        done = {"type": "done", "id": request_id, "exit": outcome.exit_code}
        for name in ("refused", "stopped", "assigned"):
            if getattr(outcome, name):
                done[name] = getattr(outcome, name)
        await outbox.put(done)
