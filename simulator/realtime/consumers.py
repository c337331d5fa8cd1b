"""The websocket consumer: a thin protocol adapter (docs/protocol.md).

On connect it asks `permissions` whether the socket's actor (its user and session) may watch;
then it sends a snapshot and hands the socket to this worker's relay (`fanout`: one member of
the cluster's group per worker), which sends it every serialised change and presence count
`push` broadcasts. Every client message is decided again (`MESSAGE_ACTIONS`; a refusal is a
reply `{ok: false, error, code: "forbidden"}` and nothing changes), then becomes a service call
(writes) or a selector call (reads); what a client may send is bounded (size and rate). When
`push.access` says who may see the cluster changed, the socket asks again, and is closed if not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import re
import time
import uuid
from collections import Counter
from urllib.parse import parse_qs

from channels import db
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.utils import await_many_dispatch
from django.conf import settings

from .. import (
    classrooms,
    exercising,
    permissions,
    presence,
    presenting,
    presenting_console,
    progress,
    selectors,
    services,
)
from ..live import payloads
from ..permissions import Action, Role
from . import fanout, ticker

log = logging.getLogger(__name__)

RATE_PER_SECOND = 20
# Every client message type and the action `permissions` decides for it (each has an `on_<type>`
# handler; tests/app/test_permission_matrix.py fails on a handler missing here).
MESSAGE_ACTIONS = {
    "resync": Action.VIEW,
    "apply": Action.APPLY,  # Action.DRY_RUN with "dryRun": true
    "delete": Action.DELETE_OBJECT,
    "clock": Action.CLOCK,
    "resolve": Action.QUERY,
    "trace": Action.QUERY,
    "explain-service": Action.QUERY,
    "explain-pod": Action.QUERY,
    # Presenting live (simulator/presenting.py), on a class's projected cluster
    "present": Action.PRESENT,
    "view": Action.PRESENT,
    "spotlight": Action.PRESENT,  # and Action.SPOTLIGHT on the sandbox
    "sandboxes": Action.PRESENT,  # the spotlight's menu
    "ask": Action.PRESENT,
    "reveal": Action.PRESENT,
    "dismiss": Action.PRESENT,
    "follow": Action.FOLLOW,
    "answer": Action.ANSWER,
    # A lesson with steps: reveal the next hint, go to the next step (whoever may edit the cluster).
    "exercise-hint": Action.APPLY,
    "exercise-next": Action.APPLY,
}
_ANSWERS = presenting.AnswerBatch()  # this worker's answers, written together
CLOSE_GONE = 4404  # the cluster does not exist (any more)
CLOSE_FORBIDDEN = 4403  # the socket's actor may not watch it (any more)
CLOSE_TOO_MANY = 4429  # too many sockets from one address

# This worker's open sockets by client address (KUBEVIZ_MAX_SOCKETS_PER_ADDRESS).
_sockets_by_address: Counter = Counter()


def _transport_of(send):
    """The Twisted transport under a socket's `send` in daphne (`partial(server.handle_reply,
    protocol)`, possibly wrapped by Channels' session middleware), or None elsewhere (tests)."""
    for _ in range(8):
        if isinstance(send, functools.partial):
            return getattr(send.args[0], "transport", None) if send.args else None
        owner = getattr(send, "__self__", None)
        send = getattr(owner, "real_send", None)
        if send is None:
            return None
    return None


def database_sync_to_async(func):
    """`func` run in the worker's thread pool, not in the one thread Channels otherwise shares
    between every socket of the process: a heavy apply on one cluster takes one thread (and one
    database connection, closed after it under CONN_MAX_AGE=0) while the other sockets go on.
    A socket handles its messages one at a time, so it never holds more than one thread."""
    return db.database_sync_to_async(func, thread_sensitive=False)


def _max_bytes() -> int:
    return settings.KUBEVIZ_MAX_INPUT_BYTES


class TokenBucket:
    """At most `rate` messages a second on average, bursts of `rate`."""

    def __init__(self, rate: float, clock=time.monotonic):
        self.rate, self.tokens, self.clock = rate, float(rate), clock
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class ClusterConsumer(AsyncWebsocketConsumer):
    cluster = None
    decisions: dict  # Action -> Decision, for this socket's actor, until push.access
    joined = False  # set once the socket counts as watching (disconnect undoes only that)
    wants_patches = False  # `?patch=1`: changes may carry RFC 7386 merge patches
    address: str | None = None  # counted in _sockets_by_address while set
    behind_since: float | None = None  # when its unsent bytes went over the limit (fanout skips it)
    last_resync = float("-inf")
    resync_task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        """As Channels' consumer, without a channel of its own on the layer: a socket hears its
        cluster only through this worker's relay (`fanout`), and nothing is ever sent to one socket's
        channel. Listening on one cost each socket a standing read on Redis, and closed every socket
        (1011) whenever Redis went away. `channel_name` stays as the socket's unique name (presence)."""
        self.scope = scope
        self.channel_layer = None
        self.channel_name = f"socket.{uuid.uuid4().hex}"
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await await_many_dispatch([receive], self.dispatch)

    def send_backlog(self) -> int:
        """Bytes written to this socket that the client has not read yet (Twisted's buffer)."""
        transport = _transport_of(getattr(self, "base_send", None))
        if transport is None:
            return 0
        try:
            return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
        except AttributeError:
            return 0

    def drop_slow(self) -> None:
        """The client has not read for KUBEVIZ_SLOW_SOCKET_SECONDS with over the limit unread: cut
        the connection at once (a close frame would wait behind what it does not read), which frees
        its buffer; the browser reconnects and starts from a snapshot."""
        log.warning("closing a socket of cluster %s: %d bytes unread", self.cluster.pk, self.send_backlog())
        transport = _transport_of(getattr(self, "base_send", None))
        if transport is not None:
            transport.abortConnection()

    async def connect(self):
        slug = self.scope["url_route"]["kwargs"]["slug"]
        self.cluster = await database_sync_to_async(selectors.cluster_by_slug)(slug)
        if self.cluster is None:
            await self.close(code=CLOSE_GONE)
            return
        self.actor = await database_sync_to_async(permissions.actor_for)(
            self.scope.get("user"), self.scope.get("session")
        )
        may = await database_sync_to_async(permissions.decide_many)(
            self.actor, [Action.VIEW, Action.TAKEOVER, Action.APPLY, Action.FOLLOW], self.cluster
        )
        if not may[Action.VIEW]:
            # Accepted only to say why, then closed: nothing was sent, nobody counted it.
            await self.accept()
            await self.send_json(payloads.error(may[Action.VIEW].reason, code="forbidden"))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        address = (self.scope.get("client") or ["?"])[0]
        limit = settings.KUBEVIZ_MAX_SOCKETS_PER_ADDRESS
        if _sockets_by_address[address] >= limit:
            await self.accept()
            await self.send_json(
                payloads.error(
                    f"too many connections from your address: at most {limit} per server process "
                    f"(KUBEVIZ_MAX_SOCKETS_PER_ADDRESS); close some tabs",
                    code="too-many",
                )
            )
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.address = address
        _sockets_by_address[address] += 1
        self.bucket = TokenBucket(RATE_PER_SECOND)
        self.decisions = {
            Action.VIEW: may[Action.VIEW],
            Action.APPLY: may[Action.APPLY],
            Action.FOLLOW: may[Action.FOLLOW],
        }
        self.joined = True
        query = parse_qs((self.scope.get("query_string") or b"").decode("latin-1"))
        self.wants_patches = query.get("patch", ["0"])[-1] in ("1", "true", "yes")
        await self.accept()
        # This worker's member of the cluster's group relays every change to this socket
        # (fanout.py); changes that arrive while the snapshot is being sent wait behind it.
        await fanout.join(self.cluster.pk, self)
        await self.send_snapshot()
        await fanout.flush(self.cluster.pk, self)
        if self.cluster.role == Role.PROJECTED:  # a late joiner lands on the presenter's view
            state = await database_sync_to_async(presenting.presentation_state)(self.cluster)
            if state is not None:
                await self.send_json(state)
                # ... and on the presenter's console's last lines (theirs to see: FOLLOW).
                tail = await database_sync_to_async(presenting_console.console_tail)(self.cluster)
                if tail is not None and self.takes_console_mirror():
                    await self.send_json(tail)
        # A class's instructor watching a student's sandbox is named to the student (and says
        # whether they took it over); a student's visit counts as their activity on the roster.
        instructor = self.cluster.role == Role.SANDBOX and may[Action.TAKEOVER].allowed
        await database_sync_to_async(presence.presence_join)(
            cluster_id=self.cluster.pk,
            channel_name=self.channel_name,
            user=self.actor,
            instructor=instructor,
            editing=instructor and may[Action.APPLY].allowed,
        )
        if self.actor.student_ids and self.cluster.classroom_id is not None:
            await database_sync_to_async(classrooms.student_seen)(student_ids=self.actor.student_ids)
        ticker.watch(self.cluster.pk)

    async def disconnect(self, code):
        if self.address is not None:
            _sockets_by_address[self.address] -= 1
            if _sockets_by_address[self.address] <= 0:
                del _sockets_by_address[self.address]
            self.address = None
        if self.resync_task is not None:
            self.resync_task.cancel()
        if not self.joined:
            return
        self.joined = False
        fanout.leave(self.cluster.pk, self)
        ticker.unwatch(self.cluster.pk)
        await database_sync_to_async(presence.presence_leave)(
            cluster_id=self.cluster.pk, channel_name=self.channel_name
        )

    async def recheck_access(self):
        """Who may see the cluster changed (`push.access`): watch on, or be told why and closed."""
        if not self.joined:
            return
        self.decisions = {}
        row = await database_sync_to_async(selectors.cluster_by_pk)(self.cluster.pk)
        if row is None:
            await self.send_json(payloads.error("this cluster was deleted", code="gone"))
            await self.close(code=CLOSE_GONE)
            return
        decision = await database_sync_to_async(permissions.decide)(self.actor, Action.VIEW, row)
        if not decision:
            await self.send_json(payloads.error(decision.reason, code="forbidden"))
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.decisions[Action.FOLLOW] = await database_sync_to_async(permissions.decide)(self.actor, Action.FOLLOW, row)

    def takes_console_mirror(self) -> bool:
        """Whether the relay hands this socket the presenter's console mirror: its actor may
        FOLLOW (decided on connect, and again after `push.access`), and it is not the presenter's."""
        return self.joined and self.presenter is None and bool(self.decisions.get(Action.FOLLOW))

    async def send_snapshot(self):
        _version, parts = await database_sync_to_async(selectors.cluster_snapshot_parts)(self.cluster)
        for text in parts:
            await self.send(text_data=text)
        # A lesson with steps: its Exercise panel, after the state it is about.
        state = await database_sync_to_async(progress.exercise_state)(self.cluster)
        if state is not None:
            await self.send_json(state)

    async def send_json(self, payload: dict):
        await self.send(text_data=payloads.encode(payload))

    # ------------------------------------------------------------------ client messages
    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else (bytes_data or b"")
        size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
        if size > _max_bytes():
            await self.send_json(payloads.error(f"message of {size} bytes refused: the limit is {_max_bytes()} bytes"))
            return
        if not self.bucket.take():
            await self.send_json(payloads.error(f"too many messages: at most {RATE_PER_SECOND} a second"))
            return
        message, problem = parse_message(raw)
        if problem is not None:
            await self.send_json(payloads.error(problem))
            return
        kind = message["type"]  # `explain-service` is handled by on_explain_service
        handler = getattr(self, f"on_{kind.replace('-', '_')}", None) if "_" not in kind else None
        request_id = message.get("id")
        if handler is None:
            await self.send_json(payloads.error(f"unknown message type {message['type']!r}", request_id))
            return
        action = MESSAGE_ACTIONS.get(kind, Action.VIEW)
        if action == Action.APPLY and message.get("dryRun"):
            action = Action.DRY_RUN
        decision = self.decisions.get(action)
        if decision is None:
            decision = self.decisions[action] = await database_sync_to_async(self.decide)(action)
        if not decision:
            await self.send_json(payloads.refused(request_id, decision.reason))
            return
        try:
            await handler(message, request_id)
        except (services.ServiceError, selectors.NotFound) as exc:
            await self.send_json(payloads.reply(request_id, False, error=str(exc)))
        except Exception:
            # A bug must not close the socket (1011) nor leave the request unanswered; what was
            # committed stays committed, and the client resyncs to see it.
            log.exception("%s message on cluster %s failed", kind, self.cluster.pk)
            await self.send_json(
                payloads.reply(request_id, False, error="the server failed to answer this request; try again")
            )

    def decide(self, action: Action) -> permissions.Decision:
        """Decided on the cluster's row as it is now; kept (`self.decisions`) until `push.access`
        says who may see the cluster changed: every service that changes it (a student removed,
        an instructor added or removed, sharing, a deletion) ends with that push."""
        row = selectors.cluster_by_pk(self.cluster.pk)
        if row is None:
            return permissions.Decision(False, "this cluster was deleted")
        return permissions.decide(self.actor, action, row)

    async def on_resync(self, message, request_id):
        """At most one snapshot per KUBEVIZ_RESYNC_INTERVAL seconds: asked sooner, it comes once
        the interval is over (however many were asked meanwhile)."""
        wait = self.last_resync + settings.KUBEVIZ_RESYNC_INTERVAL - time.monotonic()
        if wait <= 0:
            await self.resync_now()
        elif self.resync_task is None:

            async def later():
                try:
                    await asyncio.sleep(wait)
                    await self.resync_now()
                finally:
                    self.resync_task = None

            self.resync_task = asyncio.ensure_future(later())

    async def resync_now(self):
        """A fresh snapshot, the changes that arrive meanwhile held behind it (also sent unasked
        when this worker's relay was cut off from the channel layer: `fanout`)."""
        if not self.joined:
            return
        if self.send_backlog() > settings.KUBEVIZ_SOCKET_BUFFER_BYTES:
            # Not reading: the snapshot comes when it has read (fanout), not on top of the rest.
            self.behind_since = self.behind_since or time.monotonic()
            return
        self.last_resync = time.monotonic()
        fanout.hold(self.cluster.pk, self)
        try:
            await self.send_snapshot()
        finally:
            await fanout.flush(self.cluster.pk, self)

    async def on_apply(self, message, request_id):
        text = message.get("yaml")
        if not isinstance(text, str):
            raise services.ServiceError("apply needs `yaml`, a string")
        base = message.get("baseResourceVersion")
        if base is not None and not isinstance(base, dict):
            raise services.ServiceError("baseResourceVersion must map Kind/namespace/name to a resourceVersion")
        outcome = await database_sync_to_async(services.cluster_apply)(
            cluster=self.cluster,
            text=text,
            dry_run=bool(message.get("dryRun")),
            base_versions=base,
            user=self.actor,
        )
        await self.send_json(payloads.reply(request_id, **outcome.to_reply()))

    async def on_delete(self, message, request_id):
        kind, name = message.get("kind"), message.get("name")
        if not isinstance(kind, str) or not isinstance(name, str):
            raise services.ServiceError("delete needs `kind` and `name`")
        outcome = await database_sync_to_async(services.cluster_delete_object)(
            cluster=self.cluster,
            kind=kind,
            namespace=message.get("namespace") or "default",
            name=name,
            user=self.actor,
        )
        await self.send_json(payloads.reply(request_id, **outcome.to_reply()))

    async def on_clock(self, message, request_id):
        outcome = await database_sync_to_async(services.cluster_clock)(
            cluster=self.cluster,
            action=message.get("action"),
            seconds=message.get("seconds", 5),
            user=self.actor,
        )
        await self.send_json(payloads.reply(request_id, **outcome.to_reply()))

    async def on_resolve(self, message, request_id):
        result = await database_sync_to_async(selectors.cluster_resolve)(
            self.cluster,
            source=str(message.get("from", "")),
            name=str(message.get("name", "")),
            rtype=str(message.get("rtype") or "A"),
        )
        await self.send_json(payloads.reply(request_id, True, result=result))

    async def on_trace(self, message, request_id):
        result = await database_sync_to_async(selectors.cluster_trace)(
            self.cluster, source=str(message.get("from", "")), url=str(message.get("url", ""))
        )
        await self.send_json(payloads.reply(request_id, True, result=result))

    async def on_explain_service(self, message, request_id):
        namespace, name = _reference(message, "service")
        version, result = await database_sync_to_async(selectors.cluster_explain_service)(
            self.cluster, namespace=namespace, name=name
        )
        await self.send_json(payloads.reply(request_id, True, version=version, **result))

    async def on_explain_pod(self, message, request_id):
        namespace, name = _reference(message, "pod")
        version, result = await database_sync_to_async(selectors.cluster_explain_pod)(
            self.cluster, namespace=namespace, name=name
        )
        await self.send_json(payloads.reply(request_id, True, version=version, **result))

    # ------------------------------------------------------------------ presenting live
    presenter = None  # presenting.PresenterSession, once this socket presents

    async def on_present(self, message, request_id):
        on = message.get("on")
        if not isinstance(on, bool):
            raise services.ServiceError("present needs `on`: true or false")
        await database_sync_to_async(presenting.presenting_set)(cluster=self.cluster, user=self.actor, on=on)
        self.presenter = await database_sync_to_async(presenting.PresenterSession.load)(self.cluster)
        await self.send_json(payloads.reply(request_id, True))

    async def on_view(self, message, request_id):
        if self.presenter is None:  # a presenter whose page came back (a reload, a reconnect)
            self.presenter = await database_sync_to_async(presenting.PresenterSession.load)(self.cluster)
        seq = await self.presenter.send(message.get("set"))
        if request_id is not None:
            await self.send_json(payloads.reply(request_id, True, seq=seq))

    async def on_follow(self, message, request_id):
        on = message.get("on")
        if not isinstance(on, bool):
            raise services.ServiceError("follow needs `on`: true or false")
        await database_sync_to_async(presenting.follow_set)(
            cluster_id=self.cluster.pk, channel_name=self.channel_name, on=on
        )
        state = await database_sync_to_async(presenting.presentation_state)(self.cluster) if on else None
        await self.send_json(payloads.reply(request_id, True, presenting=state))

    async def on_spotlight(self, message, request_id):
        slug = message.get("sandbox")
        sandbox = None
        if slug is not None:
            if not isinstance(slug, str):
                raise services.ServiceError("spotlight needs `sandbox`: a sandbox's slug, or null to end it")
            sandbox = await database_sync_to_async(selectors.cluster_by_slug)(slug)
            decision = (
                await database_sync_to_async(permissions.decide)(self.actor, Action.SPOTLIGHT, sandbox)
                if sandbox is not None
                else permissions.Decision(False, f"no sandbox {slug!r}")
            )
            if not decision:
                await self.send_json(payloads.refused(request_id, decision.reason))
                return
        payload = await database_sync_to_async(presenting.spotlight_set)(cluster=self.cluster, sandbox=sandbox)
        await self.send_json(payloads.reply(request_id, True, spotlight=payload is not None))

    async def on_sandboxes(self, message, request_id):
        rows = await database_sync_to_async(presenting.sandboxes_to_spotlight)(self.cluster)
        await self.send_json(payloads.reply(request_id, True, sandboxes=rows))

    async def on_ask(self, message, request_id):
        lesson_question = message.get("lessonQuestion")
        if lesson_question is not None and not isinstance(lesson_question, str):
            raise services.ServiceError("lessonQuestion must be the id of one of the lesson's questions")
        public = await database_sync_to_async(presenting.question_ask)(
            cluster=self.cluster, user=self.actor, spec=message.get("question"), lesson_question=lesson_question
        )
        await self.send_json(payloads.reply(request_id, True, question=public))

    async def on_answer(self, message, request_id):
        given = presenting.AnswerGiven(
            self.cluster.pk, frozenset(self.actor.student_ids), message.get("question"), message.get("answer")
        )
        error = await _ANSWERS.give(given)  # gathered with this worker's other answers: one write
        if error:
            raise services.ServiceError(error)
        await self.send_json(payloads.reply(request_id, True))

    async def on_reveal(self, message, request_id):
        reveal = await database_sync_to_async(presenting.question_reveal)(
            cluster=self.cluster, user=self.actor, question_id=message.get("question")
        )
        await self.send_json(payloads.reply(request_id, True, reveal=reveal.public, results=reveal.results))

    async def on_dismiss(self, message, request_id):
        await database_sync_to_async(presenting.question_dismiss)(cluster=self.cluster)
        await self.send_json(payloads.reply(request_id, True))

    async def on_exercise_hint(self, message, request_id):
        try:
            state = await database_sync_to_async(progress.exercise_hint)(cluster=self.cluster)
        except progress.ExerciseUnavailable as exc:
            raise services.ServiceError(str(exc)) from None
        await self.send_json(payloads.reply(request_id, True, exercise=state))

    async def on_exercise_next(self, message, request_id):
        try:
            answer = await database_sync_to_async(exercising.exercise_next)(cluster=self.cluster, user=self.actor)
        except progress.ExerciseUnavailable as exc:
            raise services.ServiceError(str(exc)) from None
        await self.send_json(
            payloads.reply(request_id, True, advanced=answer["advanced"], why=answer["why"], exercise=answer["panel"])
        )


MAX_JSON_DEPTH = 64


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text} is out of range")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_message(raw: str | bytes) -> tuple[dict | None, str | None]:
    """A client message as a JSON object, or why it is refused: not JSON or not UTF-8, nested too
    deep (checked before it is read: Python's reader recurses), a number that is not finite
    (NaN, Infinity, 1e999), a lone surrogate anywhere (not text: it could not be echoed back)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"the message is not UTF-8 text (byte {exc.start})"
    if _json_depth(raw) > MAX_JSON_DEPTH:
        return None, f"the message nests deeper than {MAX_JSON_DEPTH} levels"
    try:
        message = json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if "number" in str(exc) else "messages must be JSON objects"
        return None, detail
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return None, "a message needs a string `type`"
    try:
        json.dumps(message, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return None, "the message holds a lone surrogate (\\ud800-\\udfff alone is not text)"
    return message, None


def _json_depth(raw: str) -> int:
    """The deepest nesting of `[` and `{` outside strings."""
    if raw.count("[") + raw.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", raw)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _reference(message: dict, field: str) -> tuple[str, str]:
    """`"NAMESPACE/NAME"` from the message's `field`, or a clear error."""
    value = message.get(field)
    parts = value.split("/") if isinstance(value, str) else []
    if len(parts) != 2 or not all(parts):
        raise services.ServiceError(f'{message["type"]} needs `{field}`: "NAMESPACE/NAME"')
    return parts[0], parts[1]
