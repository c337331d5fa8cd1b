"""Why a pod is or is not behind a Service (`explain-service`, `explain-pod`): the engine's own
selection and Endpoints, compared by key, worded as the engine's hints word them."""

from __future__ import annotations

import pytest

from simulator.engine import ClusterSettings, Engine
from simulator.live.explain import explain_pod, explain_service

from ..course import ZONE_PROD_WEB

SERVICE = """
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  selector: {{zone: prod, version: v1}}
  ports: [{{port: 80, targetPort: {target}}}]
"""


def pod(name: str, labels: str = "{zone: prod, version: v1}", spec: str = "", status: str = "") -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {labels}}}\n"
        f"spec: {{containers: [{{name: app, image: nginx, ports: [{{containerPort: 8080, name: http}}]}}]{spec}}}\n"
        + (f"status: {status}\n" if status else "")
    )


def engine_with(*documents: str) -> Engine:
    engine = Engine.new(ClusterSettings())
    result = engine.apply_text("---\n".join(documents))
    assert result.ok, [str(e) for e in result.errors]
    return engine


def service_facts(engine: Engine, name: str = "web", namespace: str = "default") -> dict:
    return explain_service(engine, engine.get("Service", namespace, name))


def test_a_pod_behind_a_service_is_its_endpoint_and_not_also_selected_but_not_an_endpoint():
    engine = engine_with(ZONE_PROD_WEB)
    assert explain_pod(engine, engine.get("Pod", "default", "web-1")) == {
        "pod": "default/web-1",
        "services": [{"service": "default/web", "selected": True, "endpoint": True, "notEndpoint": None}],
    }


def test_every_pod_of_the_namespace_says_which_selector_labels_it_misses():
    engine = engine_with(
        SERVICE.format(target=8080),
        pod("both"),
        pod("no-version", "{zone: prod}"),
        pod("other-version", "{zone: prod, version: v2}"),
        pod("nothing", "{app: x}"),
    )
    facts = service_facts(engine)
    assert facts["service"] == "default/web" and facts["selector"] == {"zone": "prod", "version": "v1"}
    assert {ref: f["misses"] for ref, f in facts["pods"].items()} == {
        "default/both": [],
        "default/no-version": ["lacks label version=v1"],
        "default/other-version": ["has version=v2, needs version=v1"],
        "default/nothing": ["lacks label version=v1", "lacks label zone=prod"],
    }
    assert [ref for ref, f in facts["pods"].items() if f["selected"]] == ["default/both"]
    assert facts["pods"]["default/both"] == {"selected": True, "endpoint": True, "misses": [], "notEndpoint": None}


@pytest.mark.parametrize(
    "target,document,endpoint,why",
    [
        ("8080", pod("p"), True, None),
        ("http", pod("p"), True, None),
        (
            "metrics",
            pod("p"),
            False,
            "no container port is named 'metrics' (TCP), the targetPort of port 80",
        ),
        ("8080", pod("p", spec=", nodeSelector: {disk: ssd}"), False, "it has no IP yet (Pending)"),
        (
            "8080",
            pod("p", status="{phase: Succeeded}"),
            False,
            "it has finished (Succeeded): a terminated pod leaves the endpoints",
        ),
        # not ready: still an endpoint (notReadyAddresses), drawn dashed
        ("8080", pod("p", status="{conditions: [{type: Ready, status: 'False'}]}"), True, None),
    ],
)
def test_a_selected_pod_that_is_not_an_endpoint_says_why(target, document, endpoint, why):
    engine = engine_with(SERVICE.format(target=target), document)
    facts = service_facts(engine)["pods"]["default/p"]
    assert facts == {"selected": True, "endpoint": endpoint, "misses": [], "notEndpoint": why}
    assert explain_pod(engine, engine.get("Pod", "default", "p"))["services"] == [
        {"service": "default/web", "selected": True, "endpoint": endpoint, "notEndpoint": why}
    ]


def test_an_external_name_service_selects_pods_but_has_no_endpoints():
    engine = engine_with(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        "spec: {type: ExternalName, externalName: db.example.com, selector: {zone: prod, version: v1}}\n",
        pod("p"),
    )
    assert service_facts(engine)["pods"]["default/p"] == {
        "selected": True,
        "endpoint": False,
        "misses": [],
        "notEndpoint": "an ExternalName Service has no endpoints: its name is a CNAME for db.example.com",
    }


def test_a_service_without_a_selector_selects_nobody_and_lists_no_misses():
    engine = engine_with(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n", pod("p")
    )
    facts = service_facts(engine)
    assert facts["selector"] is None
    assert facts["pods"] == {"default/p": {"selected": False, "endpoint": False, "misses": [], "notEndpoint": None}}
    assert explain_pod(engine, engine.get("Pod", "default", "p"))["services"] == []


def test_a_pod_lists_only_the_services_of_its_namespace_that_select_it():
    other = SERVICE.replace("name: web}", "name: web, namespace: other}")
    engine = engine_with(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n",
        SERVICE.format(target=8080),
        SERVICE.format(target=8080).replace("name: web}", "name: api}"),
        SERVICE.format(target=8080).replace("version: v1}", "version: v2}").replace("name: web}", "name: next}"),
        other.format(target=8080),
        pod("p"),
    )
    assert [s["service"] for s in explain_pod(engine, engine.get("Pod", "default", "p"))["services"]] == [
        "default/api",
        "default/web",
    ]
    assert list(service_facts(engine, "web", "other")["pods"]) == []  # no pod in its namespace
