"""/openapi/v3: the real OpenAPI v3 documents of the served group-versions (for `kubectl explain`
and for kubectl's apply/edit schema lookups).

The documents are Kubernetes v1.33's `api/openapi-spec/v3/*.json` (Apache-2.0), as the
kubernetes-sigs/kubectl-validate repository carries them (pkg/openapiclient/builtins/1.33,
commit a97ccfaca20b164819afdae780392496f6ed6bbd), stored gzipped under vendor/openapi-v3 with
their LICENSE. The root document lists each group-version's URL with a `hash` query (the
SHA-512 of the document, upper-case hex, as the API server computes it) so that clients, which
cache by URL, refetch when a document changes.

client-go fetches a group-version with `RequestURI(serverRelativeURL)`, which replaces the
server URL's path, so the URLs in the root carry the cluster's path prefix (`/k8s/<token>`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent / "vendor" / "openapi-v3"
GROUP_VERSIONS = (
    "api/v1",
    "apis/apps/v1",
    "apis/batch/v1",
    "apis/networking.k8s.io/v1",
    "apis/discovery.k8s.io/v1",
    "apis/autoscaling/v1",
)
CONTENT_TYPE = "application/json"


@functools.cache
def document(group_version: str) -> bytes | None:
    """The OpenAPI v3 document of `api/v1` or `apis/<group>/<version>` (None when not served)."""
    if group_version not in GROUP_VERSIONS:
        return None
    return gzip.decompress((VENDOR / (group_version.replace("/", "_") + ".json.gz")).read_bytes())


@functools.cache
def document_hash(group_version: str) -> str:
    return hashlib.sha512(document(group_version) or b"").hexdigest().upper()


def root(prefix: str = "") -> dict:
    """GET /openapi/v3: each group-version's server-relative URL (with `prefix`, the path the
    cluster is served under)."""
    prefix = prefix.rstrip("/")
    return {
        "paths": {
            gv: {"serverRelativeURL": f"{prefix}/openapi/v3/{gv}?hash={document_hash(gv)}"} for gv in GROUP_VERSIONS
        }
    }
