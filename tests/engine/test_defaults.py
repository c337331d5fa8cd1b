"""API server defaulting and the Job strategy's create-time preparation.

Sources: pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go,
pkg/registry/core/namespace/strategy.go, pkg/registry/batch/job/strategy.go,
pkg/util/parsers/parsers.go.
"""

import copy

import pytest

from simulator.engine.apiserver.defaults import image_pull_policy
from simulator.engine.apiserver.strategy import prepare_job_for_create
from simulator.engine.kinds import apply_defaults

POD_SPEC = {"containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}]}


def template(labels=None, **spec):
    return {"metadata": {"labels": labels or {"app": "web"}}, "spec": {**copy.deepcopy(POD_SPEC), **spec}}


def test_a_service_gets_its_defaults_from_set_defaults_service():
    svc = {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}, {"port": 53, "targetPort": "dns"}]},
    }
    spec = apply_defaults("Service", svc)["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in spec  # only for externally-accessible Services
    assert spec["ports"] == [
        {"port": 80, "protocol": "TCP", "targetPort": 80},  # targetPort = port
        {"port": 53, "targetPort": "dns", "protocol": "TCP"},
    ]


@pytest.mark.parametrize(
    "service_type, expected",
    [
        ("NodePort", {"externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"}),
        # SetDefaults_Service: LoadBalancers also get allocateLoadBalancerNodePorts
        (
            "LoadBalancer",
            {
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "allocateLoadBalancerNodePorts": True,
            },
        ),
        # ExternalName: neither traffic policy
        ("ExternalName", {}),
    ],
)
def test_externally_accessible_services_get_traffic_policies(service_type, expected):
    spec = apply_defaults("Service", {"spec": {"type": service_type, "ports": [{"port": 80}]}})["spec"]
    got = {
        k: spec[k]
        for k in ("externalTrafficPolicy", "internalTrafficPolicy", "allocateLoadBalancerNodePorts")
        if k in spec
    }
    assert got == expected


def test_client_ip_affinity_gets_a_three_hour_timeout():
    spec = apply_defaults("Service", {"spec": {"sessionAffinity": "ClientIP", "ports": [{"port": 80}]}})["spec"]
    assert spec["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


def test_a_pod_gets_pod_spec_container_and_pod_only_defaults():
    pod = apply_defaults("Pod", {"metadata": {"name": "p"}, "spec": copy.deepcopy(POD_SPEC)})
    spec = pod["spec"]
    assert {
        k: spec[k]
        for k in (
            "restartPolicy",
            "dnsPolicy",
            "schedulerName",
            "terminationGracePeriodSeconds",
            "enableServiceLinks",
            "securityContext",
        )
    } == {
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "enableServiceLinks": True,
        "securityContext": {},
    }
    assert spec["containers"][0] == {
        "name": "web",
        "image": "nginx:1.25",
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def test_a_pod_template_does_not_get_the_pod_only_defaults():
    # SetDefaults_Pod (enableServiceLinks, requests from limits) applies to Pods, not PodTemplateSpecs
    dep = apply_defaults("Deployment", {"spec": {"template": template()}})
    assert "enableServiceLinks" not in dep["spec"]["template"]["spec"]


def test_a_pods_requests_default_to_its_limits():
    spec = {
        "containers": [
            {"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}}}
        ]
    }
    c = apply_defaults("Pod", {"spec": spec})["spec"]["containers"][0]
    assert c["resources"]["requests"] == {"memory": "1Gi", "cpu": "1"}


@pytest.mark.parametrize(
    "image, policy",
    [
        ("nginx", "Always"),  # no tag means :latest
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("registry.k8s.io/pause:3.9", "IfNotPresent"),
        ("localhost:5000/app", "Always"),  # a registry port is not a tag
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),  # digest only: ParseImageName reports no tag
        ("Nginx", "IfNotPresent"),  # does not parse: tag "" (repository names are lower case)
    ],
)
def test_image_pull_policy_depends_on_the_tag(image, policy):
    assert image_pull_policy(image) == policy


def test_a_deployment_gets_replicas_strategy_and_history_defaults():
    spec = apply_defaults(
        "Deployment", {"spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}}
    )["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"]["restartPolicy"] == "Always"


def test_a_recreate_deployment_gets_no_rolling_update():
    spec = apply_defaults("Deployment", {"spec": {"strategy": {"type": "Recreate"}, "template": template()}})["spec"]
    assert spec["strategy"] == {"type": "Recreate"}


def test_a_replica_set_and_a_daemon_set_get_their_defaults():
    assert apply_defaults("ReplicaSet", {"spec": {"template": template()}})["spec"]["replicas"] == 1
    ds = apply_defaults("DaemonSet", {"spec": {"template": template()}})["spec"]
    assert ds["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["revisionHistoryLimit"] == 10


@pytest.mark.parametrize(
    "given, completions, parallelism",
    [
        ({}, 1, 1),  # both unset: both 1
        ({"completions": 5}, 5, 1),  # only completions: parallelism 1
        ({"parallelism": 3}, None, 3),  # only parallelism: completions stays unset (a work queue)
        ({"completions": 4, "parallelism": 2}, 4, 2),
    ],
)
def test_job_completions_and_parallelism_follow_set_defaults_job(given, completions, parallelism):
    spec = apply_defaults("Job", {"spec": {**given, "template": template(restartPolicy="Never")}})["spec"]
    assert spec.get("completions") == completions
    assert spec["parallelism"] == parallelism
    assert {
        k: spec[k] for k in ("backoffLimit", "completionMode", "suspend", "podReplacementPolicy", "manualSelector")
    } == {
        "backoffLimit": 6,
        "completionMode": "NonIndexed",
        "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed",
        "manualSelector": False,
    }


def test_a_job_without_labels_takes_its_templates_labels():
    job = apply_defaults(
        "Job", {"metadata": {"name": "pi"}, "spec": {"template": template({"app": "pi"}, restartPolicy="Never")}}
    )
    assert job["metadata"]["labels"] == {"app": "pi"}


def test_preparing_a_job_generates_its_selector_and_labels_and_shares_them_with_the_job():
    given = {"metadata": {"name": "pi"}, "spec": {"template": template({"app": "pi"}, restartPolicy="Never")}}
    before = copy.deepcopy(given)
    job = prepare_job_for_create(apply_defaults("Job", given), "0b3d-uid")
    generated = {
        "app": "pi",
        "job-name": "pi",
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": "0b3d-uid",
        "batch.kubernetes.io/controller-uid": "0b3d-uid",
    }
    assert job["spec"]["template"]["metadata"]["labels"] == generated
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "0b3d-uid"}}
    # the Job's labels were defaulted from the template's: the same Go map, so they grow too
    assert job["metadata"]["labels"] == generated
    assert job["metadata"]["uid"] == "0b3d-uid"
    assert given == before


def test_a_job_with_its_own_labels_keeps_them_when_prepared():
    given = {
        "metadata": {"name": "pi", "labels": {"team": "a"}},
        "spec": {"template": template({"app": "pi"}, restartPolicy="Never")},
    }
    job = prepare_job_for_create(apply_defaults("Job", given), "u")
    assert job["metadata"]["labels"] == {"team": "a"}


def test_a_manual_selector_job_is_left_alone_by_the_strategy():
    given = {
        "metadata": {"name": "pi"},
        "spec": {
            "manualSelector": True,
            "selector": {"matchLabels": {"app": "pi"}},
            "template": template({"app": "pi"}, restartPolicy="Never"),
        },
    }
    job = prepare_job_for_create(apply_defaults("Job", given), "u")
    assert job["spec"]["selector"] == {"matchLabels": {"app": "pi"}}
    assert job["spec"]["template"]["metadata"]["labels"] == {"app": "pi"}


def test_a_namespace_gets_its_name_label_and_the_kubernetes_finalizer():
    ns = apply_defaults("Namespace", {"metadata": {"name": "shop"}})
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "shop"}
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    assert ns["status"]["phase"] == "Active"


def test_defaulting_never_mutates_its_input_and_shares_untouched_parts():
    dep = {
        "metadata": {"name": "web", "labels": {"a": "b"}},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()},
    }
    before = copy.deepcopy(dep)
    out = apply_defaults("Deployment", dep)
    assert dep == before
    assert out is not dep and out["spec"] is not dep["spec"]
    assert out["metadata"] is dep["metadata"]  # untouched: shared, not copied
    assert out["spec"]["selector"] is dep["spec"]["selector"]
