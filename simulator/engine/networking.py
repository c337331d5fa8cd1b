"""Cluster networking views, gathered for `views.cluster_view` and `simulate`:
DNS records and resolution (`dns`), kube-proxy's nat table (`kubeproxy`), request traces
(`trace`, through `ingress`)."""

from __future__ import annotations

from .dns import dns_records, resolve_query
from .kubeproxy import iptables_save
from .trace import request_query

__all__ = ["dns_records", "iptables_save", "request_query", "resolve_query"]
