"""The Kubernetes model: a simulated cluster in pure Python (no Django; a test enforces it).

The public surface: `Engine` (a cluster: apply, delete, the clock, reads), `ClusterSettings`,
`ApplyResult`, `ChangeLog`, and the simulate contract's `run` and `Query`
(docs/simulate-contract.md). The derived views are modules of their own: `contract` (the
simulate state), `dns`, `proxy.iptables`, `trace`, `ingress`, `diagnostics`,
`controllers.endpoints`, `kubelet.envvars`. See `engine.py` for how the parts fit.
"""

from .apiserver.apply import ApplyResult
from .contract import Query, run
from .engine import ClusterSettings, Engine
from .store import ChangeLog

__all__ = ["ApplyResult", "ChangeLog", "ClusterSettings", "Engine", "Query", "run"]
