"""Shared helpers for engine tests: clusters built from small YAML strings, no database."""

from __future__ import annotations

import textwrap

from simulator.engine import ClusterSettings, Engine
from simulator.engine.contract import Query, run


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def simulate(text: str, **kwargs) -> dict:
    out, _cluster = run([yaml_text(text)], **kwargs)
    return out


def cluster_with(text: str = "", settings: ClusterSettings | None = None, atomic: bool = False) -> Engine:
    cluster = Engine.new(settings)
    if text:
        result = cluster.apply_text(yaml_text(text), atomic=atomic)
        assert result.ok, [str(e) for e in result.errors]
    return cluster


# A pod of `labels`, with a container port named http (for the endpoints and envvars tests).
def pod(name, labels="{app: web}", extra="", status="", ports="[{containerPort: 8080, name: http}]", ns="default"):
    return f"""---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {labels}}}
spec:
  {extra}
  containers: [{{name: c, image: nginx, ports: {ports}}}]
{status}"""


# A Service with a named TCP port and an unnamed UDP one.
MULTI = """---
apiVersion: v1
kind: Service
metadata: {name: my-svc}
spec:
  selector: {app: x}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: dns-udp, port: 53, protocol: UDP}
"""


__all__ = ["MULTI", "Query", "cluster_with", "pod", "simulate", "yaml_text"]
