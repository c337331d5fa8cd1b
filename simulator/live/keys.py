"""Every key of the live protocol's entries, and every id of the diagram, spelled once.

docs/protocol.md lists them. A key says what its value is (`pod/<ns>/<name>`,
`graph/edge/endpoint/...`), so a client routes an entry without knowing the whole model;
cluster-scoped objects take `-` for their namespace where a key has one. The browser builds
the same strings in static/src (a test compares the two).
"""

from __future__ import annotations

META = "meta"
WORLD = "world"  # the diagram's outside world: a node, and the source of exposing edges

# The simulate contract's per-object views that travel as entries of their own.
VIEW_PREFIX = {
    "Node": "node",
    "Pod": "pod",
    "Service": "service",
    "Ingress": "ingress",
    "Deployment": "deployment",
    "Job": "job",
    "DaemonSet": "daemonset",
}


def namespace_part(namespace: str) -> str:
    """`-` stands for the empty namespace of a cluster-scoped object."""
    return namespace or "-"


# ---------------------------------------------------------------------- entries
def object_key(kind: str, namespace: str, name: str) -> str:
    """The stored object: `object/Service/default/web`, `object/Node/-/worker-1`."""
    return f"object/{kind}/{namespace_part(namespace)}/{name}"


def view_key(kind: str, namespace: str, name: str) -> str | None:
    """The object's view of the simulate contract (`service/default/web`, `node/worker-1`);
    None for kinds without one."""
    prefix = VIEW_PREFIX.get(kind)
    if prefix is None:
        return None
    return f"{prefix}/{name}" if kind == "Node" else f"{prefix}/{namespace}/{name}"


def env_key(namespace: str, pod: str) -> str:
    return f"env/{namespace}/{pod}"


def dns_key(namespace: str, service: str) -> str:
    return f"dns/{namespace}/{service}"


def dns_pod_key(namespace: str, pod: str) -> str:
    return f"dns-pod/{namespace}/{pod}"


def rules_key(namespace: str, service: str) -> str:
    return f"rules/{namespace}/{service}"


def hints_key(kind: str, namespace: str, name: str) -> str:
    return f"hints/{kind}/{namespace}/{name}"


def graph_node_key(element: str) -> str:
    """The entry holding the diagram node `element` (an id from `element_id`, or WORLD)."""
    return f"graph/node/{element}"


def graph_edge_key(edge: str) -> str:
    """The entry holding the diagram edge `edge` (an id from one of the `*_edge_id` below)."""
    return f"graph/edge/{edge}"


# ---------------------------------------------------------------------- diagram ids
def element_id(kind: str, namespace: str, name: str) -> str:
    """The diagram id of an object: `Pod/default/web-x2k9q`, `Node/-/worker-1`."""
    return f"{kind}/{namespace_part(namespace)}/{name}"


def external_id(namespace: str, service: str) -> str:
    """The node standing for an ExternalName Service's target outside the cluster."""
    return element_id("External", namespace, service)


def port_token(port_name: str, port: int, protocol: str) -> str:
    """A Service port within an endpoint edge's id: its name, or its number when unnamed."""
    return f"{port_name or port}-{protocol}"


def endpoint_edge_id(namespace: str, service: str, target: str, token: str) -> str:
    """Service -> endpoint: `target` is the pod's name, or `Node:<name>` for the apiserver's."""
    return f"endpoint/{namespace}/{service}/{target}/{token}"


def owner_edge_id(owned: str) -> str:
    """Owner -> `owned` (an element id): one owner per object."""
    return f"owner/{owned}"


def expose_edge_id(namespace: str, service: str) -> str:
    return f"expose/{namespace}/{service}"


def external_edge_id(namespace: str, service: str) -> str:
    return f"external/{namespace}/{service}"


def ingress_in_edge_id(namespace: str, ingress: str) -> str:
    return f"ingress-in/{namespace}/{ingress}"


def route_edge_id(namespace: str, ingress: str, index: int) -> str:
    return f"route/{namespace}/{ingress}/{index}"


# ---------------------------------------------------------------------- per subject
def subject_keys(kind: str, namespace: str, name: str) -> list[str]:
    """Every key an object may produce whose name follows from the object's own key (its
    endpoint and route edges depend on other objects and are not listed)."""
    element = element_id(kind, namespace, name)
    keys = [object_key(kind, namespace, name), graph_node_key(element), graph_edge_key(owner_edge_id(element))]
    view = view_key(kind, namespace, name)
    if view:
        keys.append(view)
    if kind == "Pod":
        keys += [env_key(namespace, name), dns_pod_key(namespace, name), hints_key("Pod", namespace, name)]
    elif kind == "Service":
        keys += [
            dns_key(namespace, name),
            rules_key(namespace, name),
            hints_key("Service", namespace, name),
            graph_edge_key(expose_edge_id(namespace, name)),
            graph_node_key(external_id(namespace, name)),
            graph_edge_key(external_edge_id(namespace, name)),
        ]
    elif kind == "Ingress":
        keys.append(graph_edge_key(ingress_in_edge_id(namespace, name)))
    return keys
