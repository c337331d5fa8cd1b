"""kubeconfig files for a simulated cluster, and the credential that travels in them.

Over plain `http://` kubectl sends no credentials at all: client-go applies a user's token or
basic auth only to https servers (observed on kubectl 1.27 and 1.33). So:

* http (the embedded default): the credential travels in the server URL's path,
  `http://host:8000/k8s/<token>`, where the token is `<cluster>.<user>.<signature>` signed with
  the server's secret (HMAC-SHA256): unguessable, and it names who is asking. kubectl keeps the
  path on every request (discovery, OpenAPI, resources, the exec WebSocket) and caches
  discovery per URL, so each (cluster, user) also gets its own cache.
* https: the server URL names only the cluster (`https://host/k8s/<cluster>`) and the same
  token is a bearer token in `users[].user.token`, which kubectl sends as `Authorization:
  Bearer <token>`.

`read_token` checks a token and says which cluster and user it was made for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

import yaml

PREFIX = "k8s"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$", re.I)


class BadToken(ValueError):
    """A token that was not made by this server (or not for this cluster)."""


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def make_token(secret: str | bytes, cluster: str, user: str) -> str:
    """`<cluster>.<user>.<signature>` (names base64url-encoded; signature 32 hex digits)."""
    key = secret.encode() if isinstance(secret, str) else secret
    body = f"{_b64(cluster)}.{_b64(user)}"
    signature = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{signature}"


@dataclass(frozen=True)
class Identity:
    cluster: str
    user: str


def read_token(secret: str | bytes, token: str) -> Identity:
    key = secret.encode() if isinstance(secret, str) else secret
    parts = token.split(".")
    if len(parts) != 3:
        raise BadToken("malformed token")
    body = f"{parts[0]}.{parts[1]}"
    expected = hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(expected, parts[2]):
        raise BadToken("bad signature")
    try:
        return Identity(_unb64(parts[0]), _unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise BadToken("malformed token") from None


def server_url(base: str, cluster: str, token: str) -> str:
    """The `server:` of a kubeconfig: the token in the path for http, the cluster for https."""
    base = base.rstrip("/")
    if base.startswith("https://"):
        return f"{base}/{PREFIX}/{cluster}"
    return f"{base}/{PREFIX}/{token}"


def render(
    *,
    base: str,
    cluster: str,
    user: str,
    token: str,
    namespace: str = "default",
    certificate_authority_data: str | None = None,
) -> str:
    """A kubeconfig with one cluster, one user and one context, current.

    `base` is the kubeviz server (`http://127.0.0.1:8000`); for https without
    `certificate_authority_data` the cluster entry says insecure-skip-tls-verify (a
    self-signed development server)."""
    if not _NAME.match(cluster) or not _NAME.match(user):
        raise ValueError("cluster and user names must be DNS-style names")
    https = base.startswith("https://")
    context = f"{user}@{cluster}"
    cluster_entry: dict = {"server": server_url(base, cluster, token)}
    if https:
        if certificate_authority_data:
            cluster_entry["certificate-authority-data"] = certificate_authority_data
        else:
            cluster_entry["insecure-skip-tls-verify"] = True
    user_entry: dict = {"token": token} if https else {}
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": cluster_entry}],
        "users": [{"name": context, "user": user_entry}],
        "contexts": [{"name": context, "context": {"cluster": cluster, "user": context, "namespace": namespace}}],
        "current-context": context,
        "preferences": {},
    }
    return yaml.safe_dump(document, sort_keys=False)


def split_path(path: str) -> tuple[str, str] | None:
    """`/k8s/<token-or-cluster>/api/v1/pods` -> (token-or-cluster, "/api/v1/pods")."""
    match = re.match(rf"^/{PREFIX}/([^/]+)(/.*)?$", path)
    if not match:
        return None
    return match.group(1), match.group(2) or "/"
