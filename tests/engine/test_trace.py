"""The path of a request (`trace`) and the contract's `request` query.

Sources: docs/simulate-contract.md "Queries" (the object and its hop steps); the course
material (docs/course.md §4: busybox -> webapp:8080, NodePort 30430, LoadBalancer <pending>,
the v1beta1 test-ingress with /testpath; §1: game-service.my-ns, db-service.test-ns, the
ExternalName mysql-server); kube-proxy pkg/proxy/iptables/proxier.go (ready endpoints only,
REJECT without endpoints, internal/externalTrafficPolicy Local, pod traffic to external
destinations short-circuited); ingress-nginx (503 when a backend has no endpoint).
"""

from __future__ import annotations

import pytest

from simulator.engine import ClusterSettings
from simulator.engine import trace as tracing
from simulator.engine.trace import request_query, trace

from ..course import BUSYBOX, MYSQL, webapp_deployment, webapp_service
from .conftest import Query, cluster_with, simulate

POOL = ClusterSettings(load_balancer_pool="172.18.255.200-172.18.255.250")

# course §4: the webapp Deployment (run=webapp, 8080) and a busybox pod; the Service comes after.
WEBAPP = webapp_deployment(replicas=2) + BUSYBOX


def webapp_pods(cluster) -> list[str]:
    return sorted(f"default/{name}" for name in cluster.pods_in("default") if name.startswith("webapp-"))


def hop_steps(result) -> list[str]:
    return [h.step for h in result.hops]


# ---------------------------------------------------------------------------------------------
# From a pod
# ---------------------------------------------------------------------------------------------
def test_a_pod_reaches_a_service_by_name_through_dns_its_clusterip_and_an_endpoint():
    cluster = cluster_with(WEBAPP + webapp_service())
    svc = cluster.get("Service", "default", "webapp")
    pods = webapp_pods(cluster)
    first = min(
        (cluster.get("Pod", "default", p.split("/")[1]) for p in pods),
        key=lambda p: tuple(int(x) for x in p.ip.split(".")),
    )
    out = request_query(cluster, "default/busybox", "http://webapp:8080/")
    assert out == {
        "query": "request",
        "from": "default/busybox",
        "url": "http://webapp:8080/",
        "ok": True,
        "hops": [
            {"step": "dns", "name": "webapp", "value": svc.cluster_ip},
            {"step": "service", "service": "default/webapp", "port": 8080},
            {"step": "endpoint", "pod": f"default/{first.name}", "ip": first.ip, "port": 8080},
        ],
        "candidates": pods,
        "error": None,
    }
    assert len(pods) == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://webapp.default:8080/",
        "http://webapp.default.svc.cluster.local:8080/x?y=1",
        "webapp:8080",  # curl's default scheme
    ],
)
def test_a_pod_reaches_a_service_by_any_of_its_dns_names(url):
    cluster = cluster_with(WEBAPP + webapp_service())
    result = trace(cluster, "default/busybox", url)
    assert result.ok and hop_steps(result) == ["dns", "service", "endpoint"]
    assert list(result.candidates) == webapp_pods(cluster)


def test_a_pod_reaches_a_service_by_its_clusterip_without_dns():
    cluster = cluster_with(WEBAPP + webapp_service())
    ip = cluster.get("Service", "default", "webapp").cluster_ip
    result = trace(cluster, "default/busybox", f"http://{ip}:8080/")
    assert result.ok and hop_steps(result) == ["service", "endpoint"]
    assert result.hops[0].to_dict() == {"step": "service", "service": "default/webapp", "port": 8080}


def test_a_pod_reaches_another_pod_by_its_ip_directly():
    cluster = cluster_with(WEBAPP)
    target = cluster.get("Pod", "default", webapp_pods(cluster)[0].split("/")[1])
    result = trace(cluster, "default/busybox", f"http://{target.ip}:8080/")
    assert result.ok
    assert [h.to_dict() for h in result.hops] == [
        {"step": "endpoint", "pod": f"default/{target.name}", "ip": target.ip, "port": 8080}
    ]
    assert result.candidates == (f"default/{target.name}",)


GAME = """
apiVersion: v1
kind: Namespace
metadata: {name: my-ns}
---
apiVersion: v1
kind: Pod
metadata: {name: game, namespace: my-ns, labels: {app: game}}
spec:
  containers: [{name: game, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: game-service, namespace: my-ns}
spec:
  selector: {app: game}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: web, image: nginx}]
"""


def test_a_pod_reaches_a_service_of_another_namespace_as_name_dot_namespace():
    # course §1: from "web pod" -> "Game pod": game-service.my-ns:port
    cluster = cluster_with(GAME)
    result = trace(cluster, "default/web", "http://game-service.my-ns:8080/")
    assert result.ok and result.candidates == ("my-ns/game",)


def test_a_bare_name_of_another_namespace_does_not_resolve_and_the_error_says_how_to_name_it():
    cluster = cluster_with(GAME)
    result = trace(cluster, "default/web", "http://game-service:8080/")
    assert result.error_id == tracing.UNKNOWN_HOST
    assert result.error == (
        'could not resolve host "game-service": NXDOMAIN after trying game-service.default.svc.cluster.local., '
        "game-service.svc.cluster.local., game-service.cluster.local., game-service. "
        '(Service "game-service" is in namespace my-ns: use game-service.my-ns)'
    )


def test_a_headless_service_name_resolves_to_pod_ips_and_reaches_them_directly():
    cluster = cluster_with(
        WEBAPP
        + """
---
apiVersion: v1
kind: Service
metadata: {name: webapp-direct}
spec:
  clusterIP: None
  selector: {run: webapp}
  ports: [{port: 8080}]
"""
    )
    result = trace(cluster, "default/busybox", "http://webapp-direct:8080/")
    assert result.ok and hop_steps(result) == ["dns", "endpoint"]
    assert list(result.candidates) == webapp_pods(cluster)


def test_an_externalname_service_sends_the_request_out_of_the_cluster():
    # course §1: the ExternalName mysql-server, a CNAME to the RDS name.
    cluster = cluster_with(MYSQL)
    out = request_query(cluster, "default/busybox", "http://mysql-server:3306/")
    assert out["ok"] is True and out["candidates"] == [] and out["error"] is None
    assert out["hops"] == [
        {"step": "dns", "name": "mysql-server", "value": "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com."},
        {"step": "external", "name": "serdar.cbanmzptkrzf.us-east-1.rds.amazonaws.com", "port": 3306},
    ]


def test_a_pod_reaches_the_api_server_through_the_kubernetes_service():
    cluster = cluster_with(WEBAPP)
    result = trace(cluster, "default/busybox", "https://kubernetes.default/")
    assert result.ok and result.candidates == ()  # the API server is not a pod
    assert result.hops[-1].to_dict() == {"step": "endpoint", "pod": None, "ip": "172.18.0.2", "port": 6443}


# ---------------------------------------------------------------------------------------------
# From outside: NodePort, LoadBalancer, Ingress
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "node, ip", [("control-plane", "172.18.0.2"), ("worker-1", "172.18.0.3"), ("worker-2", "172.18.0.4")]
)
def test_outside_clients_reach_a_nodeport_service_on_every_node(node, ip):
    # course §4: webapp changed to NodePort, "NodePort: <unset> 30430/TCP".
    cluster = cluster_with(WEBAPP + webapp_service("NodePort"))
    out = request_query(cluster, "external", f"http://{ip}:30430/")
    assert out["ok"] is True and out["candidates"] == webapp_pods(cluster)
    assert out["hops"][:2] == [
        {"step": "nodeport", "node": node, "port": 30430},
        {"step": "service", "service": "default/webapp", "port": 8080},
    ]
    assert out["hops"][2]["step"] == "endpoint" and out["hops"][2]["port"] == 8080


def test_a_loadbalancer_with_a_pool_is_reached_on_its_ip_and_its_port():
    cluster = cluster_with(WEBAPP + webapp_service("LoadBalancer"), settings=POOL)
    lb_ip = cluster.get("Service", "default", "webapp").load_balancer_ips[0]
    assert lb_ip == "172.18.255.200"
    result = trace(cluster, "external", f"http://{lb_ip}:8080/")
    assert result.ok and list(result.candidates) == webapp_pods(cluster)
    assert [h.to_dict() for h in result.hops[:2]] == [
        {"step": "loadbalancer", "ip": lb_ip, "port": 8080},
        {"step": "service", "service": "default/webapp", "port": 8080},
    ]
    assert trace(cluster, "default/busybox", f"http://{lb_ip}:8080/").ok  # from inside too
    assert trace(cluster, "external", "http://172.18.0.4:30430/").ok  # and on its nodePort


def test_a_pending_loadbalancer_still_works_as_a_nodeport_service():
    # course §1: "it remains in Pending state, but the Service will still work as a typical NodePort".
    cluster = cluster_with(WEBAPP + webapp_service("LoadBalancer"))
    assert cluster.get("Service", "default", "webapp").load_balancer_ips == ()
    result = trace(cluster, "external", "http://172.18.0.3:30430/")
    assert result.ok and hop_steps(result) == ["nodeport", "service", "endpoint"]


def test_asking_for_a_pending_loadbalancer_by_name_from_outside_says_it_is_pending():
    cluster = cluster_with(WEBAPP + webapp_service("LoadBalancer"))
    result = trace(cluster, "external", "http://webapp:8080/")
    assert result.error_id == tracing.LOADBALANCER_PENDING
    assert result.error == (
        'LoadBalancer IP is <pending>: Service "webapp" has no external IP because no load-balancer pool is '
        "configured (as on a cluster without a cloud provider); it still works as a NodePort Service: try "
        "http://172.18.0.3:30430/"
    )


COURSE_INGRESS = """
---
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: test-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  rules:
  - http:
      paths:
      - path: /testpath
        backend:
          serviceName: webapp
          servicePort: 8080
"""


def test_outside_clients_reach_a_service_through_the_course_ingress_by_host_name():
    # course §4 and the contract: `--request external http://foo.example.com/testpath`.
    cluster = cluster_with(WEBAPP + webapp_service() + COURSE_INGRESS)
    out = request_query(cluster, "external", "http://foo.example.com/testpath")
    assert out["ok"] is True and out["candidates"] == webapp_pods(cluster)
    assert out["hops"][:2] == [
        {
            "step": "ingress",
            "ingress": "default/test-ingress",
            "host": None,
            "path": "/testpath",
            "pathType": "ImplementationSpecific",
        },
        {"step": "service", "service": "default/webapp", "port": 8080},
    ]
    assert out["hops"][2]["step"] == "endpoint"


@pytest.mark.parametrize("source", ["external", "default/busybox"])
def test_port_80_of_any_node_is_the_ingress_controller(source):
    cluster = cluster_with(WEBAPP + webapp_service() + COURSE_INGRESS)
    result = trace(cluster, source, "http://172.18.0.2/testpath/a")
    assert result.ok and hop_steps(result) == ["ingress", "service", "endpoint"]


def test_https_through_the_ingress_reaches_a_host_listed_under_tls():
    # ingress.md "TLS": tls-example-ingress for https-example.foo.com.
    cluster = cluster_with(
        WEBAPP
        + webapp_service()
        + """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: tls-example-ingress}
spec:
  tls:
  - hosts: [https-example.foo.com]
    secretName: testsecret-tls
  rules:
  - host: https-example.foo.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: webapp, port: {number: 8080}}}}
"""
    )
    result = trace(cluster, "external", "https://https-example.foo.com/")
    assert result.ok and hop_steps(result) == ["ingress", "service", "endpoint"]
    assert result.hops[0].to_dict()["host"] == "https-example.foo.com"
    assert trace(cluster, "external", "http://https-example.foo.com:443/").error == (
        "the ingress controller answers 400: the plain HTTP request was sent to its HTTPS port 443 (use https://)"
    )


def test_an_ingress_backend_whose_pods_do_not_open_the_target_port_gets_a_502():
    cluster = cluster_with(WEBAPP + webapp_service().replace("targetPort: 8080", "targetPort: 9090") + COURSE_INGRESS)
    result = trace(cluster, "external", "http://foo.example.com/testpath")
    assert result.error_id == tracing.TARGET_PORT_CLOSED
    assert result.error.endswith("; the ingress controller answers 502 Bad Gateway")


def test_an_ingress_backend_of_type_externalname_leaves_the_cluster():
    cluster = cluster_with(
        MYSQL
        + """
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: db-admin}
spec:
  defaultBackend:
    service: {name: mysql-server, port: {number: 443}}
"""
    )
    result = trace(cluster, "external", "http://admin.example.com/")
    assert result.ok and result.candidates == ()
    assert [h.step for h in result.hops] == ["ingress", "service", "external"]


# ---------------------------------------------------------------------------------------------
# When the request cannot be delivered: one sentence each.
# ---------------------------------------------------------------------------------------------
WEB_NO_MATCH = """
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web}}
spec:
  containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, tier: front}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: busybox}
spec:
  containers: [{name: busybox, image: busybox}]
"""

SERVICE_OF = """
apiVersion: v1
kind: Pod
metadata: {{name: web-1, labels: {{app: web}}}}
spec:
  {pod_spec}
  containers: [{{name: web, image: nginx, ports: [{{containerPort: 8080, name: http}}]}}]
{pod_status}---
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  {svc_spec}
  ports: [{{port: 80, targetPort: {target}}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: busybox}}
spec:
  nodeName: worker-1
  containers: [{{name: busybox, image: busybox}}]
"""


def service_case(
    target="8080", svc_spec="selector: {app: web}", pod_spec="nodeName: worker-1", pod_status="", settings=None
):
    return cluster_with(
        SERVICE_OF.format(target=target, svc_spec=svc_spec, pod_spec=pod_spec, pod_status=pod_status), settings=settings
    )


FAILURES = [
    # (what, cluster factory, source, url, error id, error sentence)
    (
        "a port the Service does not expose",
        lambda: cluster_with(WEBAPP + webapp_service()),
        "default/busybox",
        "http://webapp/",
        tracing.PORT_NOT_EXPOSED,
        'no Service port 80: Service "webapp" exposes 8080/TCP',
    ),
    (
        "a selector that matches no pod",
        lambda: cluster_with(WEB_NO_MATCH),
        "default/busybox",
        "http://web/",
        tracing.NO_ENDPOINTS,
        'Service "web" has no endpoints: its selector app=web, tier=front matches no pod (pod web-1 lacks tier=front)',
    ),
    (
        "a misspelt host",
        lambda: cluster_with(WEBAPP + webapp_service()),
        "default/busybox",
        "http://webap:8080/",
        tracing.UNKNOWN_HOST,
        'could not resolve host "webap": NXDOMAIN after trying webap.default.svc.cluster.local., '
        'webap.svc.cluster.local., webap.cluster.local., webap. (did you mean "webapp"?)',
    ),
    (
        "a Service without selector",
        lambda: service_case(svc_spec="type: ClusterIP"),
        "default/busybox",
        "http://web/",
        tracing.NO_ENDPOINTS,
        'Service "web" has no endpoints: it has no selector, so Kubernetes manages no Endpoints for it',
    ),
    (
        "a pod that is not Ready",
        lambda: service_case(pod_status='status:\n  conditions: [{type: Ready, status: "False"}]\n'),
        "default/busybox",
        "http://web/",
        tracing.NO_READY_ENDPOINTS,
        'Service "web" has no ready endpoints: pod web-1 is not Ready (listed under notReadyAddresses), so '
        "kube-proxy rejects the connection",
    ),
    (
        "a targetPort no container opens",
        lambda: service_case(target="9090"),
        "default/busybox",
        "http://web/",
        tracing.TARGET_PORT_CLOSED,
        'connection refused: targetPort 9090 of Service "web" is not open on its pods (pod web-1 declares 8080/TCP)',
    ),
    (
        "a named targetPort no container declares",
        lambda: service_case(target="web-port"),
        "default/busybox",
        "http://web/",
        tracing.NO_ENDPOINTS,
        'Service "web" has no endpoints for port 80: its targetPort "web-port" names no TCP containerPort of pod '
        "web-1 (its port names: http)",
    ),
    (
        "a pod that cannot be scheduled",
        lambda: service_case(pod_spec="nodeSelector: {disk: ssd}"),
        "default/busybox",
        "http://web/",
        tracing.NO_ENDPOINTS,
        None,
    ),
    (
        "internalTrafficPolicy Local with no endpoint on the client's node",
        lambda: service_case(
            pod_spec="nodeName: worker-2", svc_spec="selector: {app: web}\n  internalTrafficPolicy: Local"
        ),
        "default/busybox",
        "http://web/",
        tracing.NO_LOCAL_ENDPOINT,
        'Service "web" has internalTrafficPolicy: Local and no ready endpoint on node worker-1, where the request '
        "starts (its pods run on worker-2): kube-proxy drops it",
    ),
    (
        "externalTrafficPolicy Local on a node without an endpoint",
        lambda: service_case(
            pod_spec="nodeName: worker-2",
            svc_spec="selector: {app: web}\n  type: NodePort\n  externalTrafficPolicy: Local",
        ),
        "external",
        "NODEPORT@172.18.0.3",
        tracing.NO_LOCAL_ENDPOINT,
        'Service "web" has externalTrafficPolicy: Local and no ready endpoint on node worker-1 (its pods run on '
        "worker-2): the connection times out",
    ),
    (
        "a pod IP on a port the pod does not open",
        lambda: service_case(),
        "default/busybox",
        "POD@9999",
        tracing.TARGET_PORT_CLOSED,
        "connection refused: pod web-1 does not listen on port 9999 (its containers declare 8080/TCP)",
    ),
    ("a ClusterIP from outside", lambda: service_case(), "external", "CLUSTERIP@80", tracing.INTERNAL_ONLY, None),
    ("a pod IP from outside", lambda: service_case(), "external", "POD@8080", tracing.INTERNAL_ONLY, None),
    (
        "a ClusterIP Service's name from outside",
        lambda: service_case(),
        "external",
        "http://web/",
        tracing.CLUSTER_NAME_OUTSIDE,
        'could not resolve host "web": cluster DNS names resolve only inside the cluster, and Service "web" is a '
        "ClusterIP Service, reachable only from inside; expose it with type NodePort or LoadBalancer, or with an Ingress",
    ),
    (
        "a node port no Service has",
        lambda: service_case(),
        "external",
        "http://172.18.0.3:31999/",
        tracing.NOTHING_LISTENS,
        "connection refused: nothing listens on port 31999 of node worker-1 (172.18.0.3): no Service has nodePort "
        "31999",
    ),
    (
        "a node port outside the NodePort range",
        lambda: service_case(),
        "external",
        "http://172.18.0.3:8080/",
        tracing.NOTHING_LISTENS,
        "connection refused: nothing listens on port 8080 of node worker-1 (172.18.0.3): no Service has nodePort "
        "8080 (nodePorts are in 30000-32767)",
    ),
    (
        "an address that is not in the cluster",
        lambda: service_case(),
        "default/busybox",
        "http://192.0.2.7/",
        tracing.NO_ROUTE,
        "no route to 192.0.2.7: it is not a Service ClusterIP, a pod IP, a node IP or a LoadBalancer IP of this "
        "cluster",
    ),
    (
        "no Ingress rule for the host and path",
        lambda: cluster_with(WEBAPP + webapp_service() + COURSE_INGRESS),
        "external",
        "http://foo.example.com/nope",
        tracing.INGRESS_NO_RULE,
        "no Ingress rule matches host foo.example.com and path /nope: the ingress controller answers 404 (rules "
        "without a host: /testpath (ImplementationSpecific))",
    ),
    (
        "no Ingress at all",
        lambda: service_case(),
        "external",
        "http://foo.example.com/",
        tracing.INGRESS_NO_RULE,
        "no Ingress rule matches host foo.example.com and path /: the ingress controller answers 404 (there is no "
        "Ingress in the cluster)",
    ),
    (
        "an Ingress backend Service that does not exist",
        lambda: cluster_with(COURSE_INGRESS.replace("serviceName: webapp", "serviceName: test")),
        "external",
        "http://foo.example.com/testpath",
        tracing.INGRESS_BACKEND_MISSING,
        'Ingress default/test-ingress sends path /testpath to Service "test", which does not exist in namespace '
        "default; the ingress controller answers 503 Service Temporarily Unavailable",
    ),
    (
        "an Ingress backend port the Service does not expose",
        lambda: cluster_with(
            WEBAPP + webapp_service() + COURSE_INGRESS.replace("servicePort: 8080", "servicePort: 80")
        ),
        "external",
        "http://foo.example.com/testpath",
        tracing.PORT_NOT_EXPOSED,
        'no Service port 80: Service "webapp" exposes 8080/TCP (Ingress default/test-ingress names port 80); the '
        "ingress controller answers 503 Service Temporarily Unavailable",
    ),
    (
        "an Ingress backend without endpoints",
        lambda: cluster_with(
            WEB_NO_MATCH
            + COURSE_INGRESS.replace("serviceName: webapp", "serviceName: web").replace(
                "servicePort: 8080", "servicePort: 80"
            )
        ),
        "external",
        "http://foo.example.com/testpath",
        tracing.NO_ENDPOINTS,
        'Service "web" has no endpoints: its selector app=web, tier=front matches no pod (pod web-1 lacks '
        "tier=front); the ingress controller answers 503 Service Temporarily Unavailable",
    ),
    (
        "https to a host without TLS",
        lambda: cluster_with(WEBAPP + webapp_service() + COURSE_INGRESS),
        "external",
        "https://foo.example.com/testpath",
        tracing.INGRESS_NOT_TLS,
        "host foo.example.com is not listed under spec.tls of the Ingress that routes it: the ingress controller "
        'presents its self-signed default certificate ("Kubernetes Ingress Controller Fake Certificate"), which curl '
        "refuses",
    ),
    (
        "a host name on a port the ingress controller does not listen on",
        lambda: cluster_with(WEBAPP + webapp_service() + COURSE_INGRESS),
        "external",
        "http://foo.example.com:8080/",
        tracing.INGRESS_WRONG_PORT,
        "connection refused: foo.example.com reaches the ingress controller, which listens on ports 80 (http) and "
        "443 (https), not 8080",
    ),
    (
        "a source pod that does not exist",
        lambda: service_case(),
        "default/nobody",
        "http://web/",
        tracing.UNKNOWN_SOURCE,
        "there is no pod nobody in namespace default to send the request from",
    ),
    (
        "a URL that is not http",
        lambda: service_case(),
        "default/busybox",
        "ftp://web/",
        tracing.BAD_URL,
        "cannot trace a ftp:// URL: only http and https requests are traced",
    ),
]


def _concrete(cluster, url: str) -> str:
    """Fill in addresses the cluster allocated: CLUSTERIP@port, POD@port, NODEPORT@node-ip."""
    if url.startswith("CLUSTERIP@"):
        return f"http://{cluster.get('Service', 'default', 'web').cluster_ip}:{url.split('@')[1]}/"
    if url.startswith("POD@"):
        return f"http://{cluster.get('Pod', 'default', 'web-1').ip}:{url.split('@')[1]}/"
    if url.startswith("NODEPORT@"):
        return f"http://{url.split('@')[1]}:{cluster.get('Service', 'default', 'web').ports[0].node_port}/"
    return url


@pytest.mark.parametrize("what, make, source, url, error_id, sentence", FAILURES, ids=[f[0] for f in FAILURES])
def test_an_undeliverable_request_says_why_in_one_sentence(what, make, source, url, error_id, sentence):
    cluster = make()
    out = request_query(cluster, source, _concrete(cluster, url))
    result = trace(cluster, source, _concrete(cluster, url))
    assert out["ok"] is False and out["candidates"] == []
    assert result.error_id == error_id
    if sentence is not None:
        assert out["error"] == sentence
    assert out["error"] and "\n" not in out["error"]


def test_a_service_whose_only_pod_is_pending_says_so():
    cluster = service_case(pod_spec="nodeSelector: {disk: ssd}")
    error = trace(cluster, "default/busybox", "http://web/").error
    assert error.startswith(
        'Service "web" has no endpoints: pod web-1, which its selector matches, is Pending and has no IP ('
    )


def test_the_clusterip_from_outside_is_explained_as_a_virtual_address():
    cluster = service_case()
    ip = cluster.get("Service", "default", "web").cluster_ip
    assert trace(cluster, "external", f"http://{ip}/").error == (
        f'{ip} is the ClusterIP of Service "web", a virtual address that exists only inside the cluster (in '
        "kube-proxy's rules on each node): from outside, use a NodePort, a LoadBalancer or an Ingress"
    )


def test_a_failed_trace_keeps_the_hops_it_made_before_failing():
    cluster = cluster_with(WEB_NO_MATCH)
    result = trace(cluster, "default/busybox", "http://web/")
    assert hop_steps(result) == ["dns", "service"]


def test_external_traffic_policy_local_reaches_the_pods_of_the_node_it_arrives_at():
    cluster = service_case(
        pod_spec="nodeName: worker-2", svc_spec="selector: {app: web}\n  type: NodePort\n  externalTrafficPolicy: Local"
    )
    node_port = cluster.get("Service", "default", "web").ports[0].node_port
    assert trace(cluster, "external", f"http://172.18.0.4:{node_port}/").candidates == ("default/web-1",)
    # pod traffic to a nodePort is short-circuited to every endpoint
    assert trace(cluster, "default/busybox", f"http://172.18.0.3:{node_port}/").ok


def test_only_pods_that_listen_on_the_target_port_are_candidates():
    cluster = cluster_with("""
        apiVersion: v1
        kind: Pod
        metadata: {name: new, labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: old, labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: undeclared, labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
        """)
    ip = cluster.get("Service", "default", "web").cluster_ip
    assert trace(cluster, "external", f"http://{ip}/").ok is False
    assert trace(cluster, "default/old", f"http://{ip}/").candidates == ("default/new", "default/undeclared")


# ---------------------------------------------------------------------------------------------
# The contract, through simulate
# ---------------------------------------------------------------------------------------------
def test_simulate_adds_one_request_object_per_query_in_order():
    out = simulate(
        WEBAPP + webapp_service("NodePort") + COURSE_INGRESS,
        queries=[
            Query("request", "default/busybox", "http://webapp:8080/"),
            Query("request", "external", "http://172.18.0.3:30430/"),
            Query("request", "external", "http://foo.example.com/testpath"),
        ],
    )
    assert [q["url"] for q in out["queries"]] == [
        "http://webapp:8080/",
        "http://172.18.0.3:30430/",
        "http://foo.example.com/testpath",
    ]
    for q in out["queries"]:
        assert list(q) == ["query", "from", "url", "ok", "hops", "candidates", "error"]
        assert q["ok"] is True and q["candidates"] == sorted(q["candidates"])
        assert set(q["candidates"]) <= set(out["pods"])


# ---------------------------------------------------------------------------------------------
# No full scans per call
# ---------------------------------------------------------------------------------------------
def test_a_repeated_trace_scans_no_object_list(monkeypatch):
    cluster = cluster_with(WEBAPP + webapp_service("NodePort") + COURSE_INGRESS)
    urls = [
        ("default/busybox", "http://webapp:8080/"),
        ("external", "http://172.18.0.3:30430/"),
        ("external", "http://foo.example.com/testpath"),
        ("default/busybox", f"http://{cluster.get('Service', 'default', 'webapp').cluster_ip}:8080/"),
    ]
    first = [trace(cluster, s, u) for s, u in urls]

    def no_scan(*_args, **_kwargs):
        raise AssertionError("a full scan during a cached trace")

    monkeypatch.setattr(cluster, "list", no_scan)
    monkeypatch.setattr(cluster, "nodes", no_scan)
    assert [trace(cluster, s, u) for s, u in urls] == first
