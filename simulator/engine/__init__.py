"""The Kubernetes model: a simulated cluster in pure Python (no Django; a test enforces it).

The public surface: `Engine` (a cluster: apply, delete, the clock, reads), `ClusterSettings`,
`ApplyResult`, `ChangeLog`; the simulate contract's `run`, `Query` and `cluster_view`
(docs/simulate-contract.md); the two questions a student asks of a cluster, `resolve_query`
(DNS from a pod) and `request_query` (a request's path). The other derived views are modules
of their own: `dns`, `trace`, `proxy.iptables`, `ingress`, `diagnostics`,
`controllers.endpoints`, `kubelet.envvars`. `engine.py` shows how the parts fit.
"""

from .apiserver.apply import ApplyResult
from .config import ClusterSettings
from .contract import Query, cluster_view, run
from .dns import resolve_query
from .engine import Engine, ParsedInput, parse_input
from .store import ChangeLog
from .trace import request_query

__all__ = [
    "ApplyResult",
    "ChangeLog",
    "ClusterSettings",
    "Engine",
    "ParsedInput",
    "Query",
    "cluster_view",
    "parse_input",
    "request_query",
    "resolve_query",
    "run",
]
