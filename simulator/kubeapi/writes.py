"""What the API server checks and fills on writes before the object reaches storage: request
options (dryRun, fieldManager, fieldValidation, DeleteOptions), resourceVersion preconditions,
and the server-owned metadata an update keeps.

Sources: apiserver/pkg/endpoints/handlers (create.go, update.go, patch.go, delete.go: dryRun
must be `All`; a body's metadata.namespace must match the URL's), apiserver/pkg/registry/rest
(BeforeUpdate: uid, creationTimestamp, generateName... are the server's; a non-empty
resourceVersion that is not the live one is a Conflict), apimachinery's DeleteOptions
(propagationPolicy Orphan, Background or Foreground).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import status

SERVER_OWNED_METADATA = ("uid", "creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds")


@dataclass(frozen=True)
class WriteOptions:
    dry_run: bool
    field_manager: str | None
    field_validation: str | None
    force: bool

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> WriteOptions:
        def last(name: str) -> str | None:
            values = query.get(name) or []
            return values[-1] if values else None

        dry_run = list(query.get("dryRun") or [])
        if any(value != "All" for value in dry_run):
            # ValidateDryRun: field.NotSupported on the []string value.
            given = ", ".join(f'"{value}"' for value in dry_run)
            raise status.bad_request(f'dryRun: Unsupported value: []string{{{given}}}: supported values: "All"')
        manager = last("fieldManager")
        if manager is not None and len(manager) > 128:
            raise status.bad_request("fieldManager: Too long: may not be more than 128 bytes")
        force = (last("force") or "false").lower() == "true"
        return cls(bool(dry_run), manager, last("fieldValidation"), force)


def check_namespace(resource, url_namespace: str | None, body: dict) -> dict:
    """A namespaced body takes the URL's namespace; a different one in the body is a 400."""
    if not resource.namespaced:
        return body
    meta = dict(body.get("metadata") or {})
    given = meta.get("namespace")
    if given and url_namespace and given != url_namespace:
        raise status.bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    meta["namespace"] = url_namespace or given or "default"
    return {**body, "metadata": meta}


def check_update(resource, live: dict, body: dict) -> dict:
    """PUT: a stale metadata.resourceVersion is a Conflict; the server-owned metadata is the
    live object's (optimistic concurrency, rest.BeforeUpdate)."""
    live_meta = live.get("metadata") or {}
    meta = dict(body.get("metadata") or {})
    given = meta.get("resourceVersion")
    if given and given != live_meta.get("resourceVersion"):
        raise status.conflict(resource, live_meta.get("name", ""))
    for key in SERVER_OWNED_METADATA:
        if key in live_meta:
            meta[key] = live_meta[key]
        else:
            meta.pop(key, None)
    meta["resourceVersion"] = live_meta.get("resourceVersion")
    return {**body, "metadata": meta}


@dataclass(frozen=True)
class DeleteOptions:
    propagation: str  # Background (default for most kinds), Foreground or Orphan
    grace_period: int | None
    dry_run: bool
    preconditions: dict

    @classmethod
    def from_request(cls, query: Mapping[str, Sequence[str]], body: bytes) -> DeleteOptions:
        options: dict = {}
        if body.strip():
            try:
                options = json.loads(body)
            except ValueError as exc:
                raise status.bad_request(f"couldn't decode the DeleteOptions: {exc}") from None
        propagation = options.get("propagationPolicy") or (query.get("propagationPolicy") or ["Background"])[-1]
        if options.get("orphanDependents") is True:
            propagation = "Orphan"
        if propagation not in ("Background", "Foreground", "Orphan"):
            raise status.bad_request(
                f'propagationPolicy: Unsupported value: "{propagation}": supported values: "Background", "Foreground", "Orphan"'
            )
        grace = options.get("gracePeriodSeconds")
        if grace is None and query.get("gracePeriodSeconds"):
            grace = int(query["gracePeriodSeconds"][-1])
        dry_run = options.get("dryRun") or list(query.get("dryRun") or [])
        return cls(propagation, grace, bool(dry_run), options.get("preconditions") or {})

    def check(self, resource, live: dict) -> None:
        """Preconditions (uid, resourceVersion): a mismatch is a Conflict."""
        meta = live.get("metadata") or {}
        for key in ("uid", "resourceVersion"):
            wanted = self.preconditions.get(key)
            if wanted and wanted != meta.get(key):
                raise status.conflict(
                    resource,
                    meta.get("name", ""),
                    f"Precondition failed: {'UID' if key == 'uid' else 'ResourceVersion'} in precondition: {wanted}, "
                    f"{'UID' if key == 'uid' else 'ResourceVersion'} in object meta: {meta.get(key)}",
                )


def pod_log(pod: dict, container: str | None) -> str:
    """`kubectl logs`: a simulated pod prints one line per start of the container (text/plain)."""
    spec = pod.get("spec") or {}
    names = [c.get("name") for c in spec.get("containers") or ()]
    chosen = container or (names[0] if names else None)
    if chosen not in names:
        name = (pod.get("metadata") or {}).get("name", "")
        raise status.bad_request(f"container {chosen} is not valid for pod {name}")
    statuses = {c.get("name"): c for c in (pod.get("status") or {}).get("containerStatuses") or ()}
    state = statuses.get(chosen, {}).get("state") or {}
    started = (state.get("running") or state.get("terminated") or {}).get("startedAt")
    if not started:
        name = (pod.get("metadata") or {}).get("name", "")
        raise status.bad_request(f'container "{chosen}" in pod "{name}" is waiting to start: ContainerCreating')
    image = next((c.get("image", "") for c in spec.get("containers") or () if c.get("name") == chosen), "")
    return f"{started} kubeviz: container {chosen} ({image}) started; the simulator runs no processes\n"
