"""Accept-header negotiation, as the API server does it (apiserver/pkg/endpoints/handlers/negotiation).

kubectl asks for alternatives in order of preference, e.g. for `get`:
``application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json``
and for discovery (1.30+):
``application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...;v=v2beta1;...,application/json``.

The first alternative we can produce wins. Pitfalls this module exists for (seen with kubectl 1.27-1.33):
an aggregated discovery answer must carry exactly the negotiated media type as Content-Type, or
the client reads it as legacy discovery and finds no resources; and a v2 answer to a client that
asked only for v2beta1 (kubectl 1.27-1.29) is read the same wrong way.
"""

from __future__ import annotations

from dataclasses import dataclass

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
DISCOVERY_GROUP = "apidiscovery.k8s.io"
DISCOVERY_VERSIONS = ("v2", "v2beta1")
TABLE_VERSIONS = ("v1", "v1beta1")


@dataclass(frozen=True)
class MediaRange:
    type: str  # "application/json"
    params: tuple[tuple[str, str], ...]

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)


@dataclass(frozen=True)
class Representation:
    """What to answer with: `form` is "object" (the plain object or list), "table"
    (meta.k8s.io Table) or "discovery" (apidiscovery.k8s.io APIGroupDiscoveryList); `version`
    the Table's or discovery's version; `content_type` the exact header value to send."""

    form: str
    version: str | None
    content_type: str


PLAIN = Representation("object", None, JSON)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header, in the order given (kubectl lists them by preference
    and sends no q-values)."""
    ranges = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        params = []
        for piece in pieces[1:]:
            name, _, value = piece.partition("=")
            if name:
                params.append((name.strip().lower(), value.strip().strip('"')))
        ranges.append(MediaRange(pieces[0].lower(), tuple(params)))
    return ranges


def _accepts_json(media: MediaRange) -> bool:
    return media.type in (JSON, "application/*", "*/*")


def for_discovery(header: str | None) -> Representation:
    """/api and /apis: the first aggregated-discovery alternative we serve, else legacy JSON."""
    for media in parse_accept(header):
        if media.type != JSON:
            continue
        if media.param("g") == DISCOVERY_GROUP and media.param("as") == "APIGroupDiscoveryList":
            version = media.param("v")
            if version in DISCOVERY_VERSIONS:
                return Representation(
                    "discovery",
                    version,
                    f"{JSON};g={DISCOVERY_GROUP};v={version};as=APIGroupDiscoveryList",
                )
            continue
        if not media.params:
            return PLAIN
    return PLAIN


def for_resource(header: str | None) -> Representation:
    """A get, list or watch: a Table when the client asks for one first, else the object.

    Protobuf alternatives are passed over (we answer JSON, which every kubectl also lists)."""
    for media in parse_accept(header):
        if media.type == JSON and media.param("as") == "Table":
            if media.param("g") == "meta.k8s.io" and media.param("v") in TABLE_VERSIONS:
                return Representation("table", media.param("v"), JSON)
            continue
        if _accepts_json(media) and media.param("as") is None:
            return PLAIN
    return PLAIN


def acceptable(header: str | None) -> bool:
    """False when the client accepts nothing we can send (the API server's 406)."""
    ranges = parse_accept(header)
    if not ranges:
        return True
    return any(_accepts_json(m) for m in ranges)
