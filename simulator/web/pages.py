"""What the dashboard's pages show, from named reads (`selectors`):

- `text_tables`: `kubectl get` style tables for the page without JavaScript;
- `lesson_of`: the lesson a cluster was loaded from;
- `page_config`: what the page hands its scripts (through `json_script`).
"""

from __future__ import annotations

from .. import lessons, selectors
from ..live import keys

_SERVICE = keys.VIEW_PREFIX["Service"] + "/"
_POD = keys.VIEW_PREFIX["Pod"] + "/"


def text_tables(cluster) -> dict:
    """Rows for `kubectl get svc -o wide` and `kubectl get pods -o wide`, for the page without JS."""
    _version, entries = selectors.cluster_entries(cluster)
    services, pods = [], []
    for key, value in entries.items():
        if key.startswith(_SERVICE):
            _, ns, name = key.split("/", 2)
            ports = (
                ",".join(
                    f"{p['port']}" + (f":{p['nodePort']}" if p.get("nodePort") else "") + f"/{p['protocol']}"
                    for p in value["ports"]
                )
                or "<none>"
            )
            selector = ",".join(f"{k}={v}" for k, v in (value.get("selector") or {}).items()) or "<none>"
            external = value.get("loadBalancerIP") or value.get("externalName") or "<none>"
            endpoints = ",".join(f"{e['ip']}:{e['port']}" for e in value["endpoints"] if e["ready"]) or "<none>"
            services.append(
                {
                    "namespace": ns,
                    "name": name,
                    "type": value["type"],
                    "clusterIP": value.get("clusterIP") or "<none>",
                    "external": external,
                    "ports": ports,
                    "selector": selector,
                    "endpoints": endpoints,
                }
            )
        elif key.startswith(_POD):
            _, ns, name = key.split("/", 2)
            pods.append(
                {
                    "namespace": ns,
                    "name": name,
                    "ready": "1/1" if value["ready"] else "0/1",
                    "phase": value["phase"],
                    "ip": value.get("ip") or "<none>",
                    "node": value.get("node") or "<none>",
                }
            )
    return {"services": services, "pods": pods}


def lesson_of(cluster) -> dict | None:
    if not cluster.lesson:
        return None
    try:
        lesson = lessons.get(cluster.lesson)
    except lessons.UnknownLesson:
        return None
    return {"name": lesson.name, "title": lesson.title, "description": lesson.description, "source": lesson.source}


def page_config(cluster, *, can_edit: bool) -> dict:
    return {
        "slug": cluster.slug,
        "name": cluster.name,
        "wsPath": f"/ws/clusters/{cluster.slug}/",
        "exportUrl": f"/clusters/{cluster.slug}/export.yaml",
        "canEdit": can_edit,
        "lesson": lesson_of(cluster),
        "kinds": selectors.kind_names(),
    }
