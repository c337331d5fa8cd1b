"""Validation errors, word for word as the API server prints them after `<field>: `.

Each case runs the document through defaulting (and, for Jobs, the create strategy) first, as
the API server does, then validates. Sources are named per case; files are under
pkg/apis/<group>/validation/validation.go unless said otherwise.
"""

import copy

import pytest

from simulator.engine.apiserver.strategy import prepare_job_for_create
from simulator.engine.kinds import apply_defaults, validate

JOB_UID = "3c5b0b2e-0000-4000-8000-000000000001"


def stored(kind, obj):
    out = apply_defaults(kind, copy.deepcopy(obj))
    return prepare_job_for_create(out, JOB_UID) if kind == "Job" else out


def errors_for(kind, obj, old=None):
    errors = validate(kind, stored(kind, obj), None if old is None else stored(kind, old))
    return [(e.field, e.message()) for e in errors]


def service(name="web", **spec):
    return {"metadata": {"name": name}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}}


def containers(**extra):
    return [{"name": "web", "image": "nginx:1.25", **extra}]


def pod(**spec):
    return {"metadata": {"name": "web"}, "spec": {"containers": containers(), **spec}}


def deployment(selector=None, labels=None, **pod_spec):
    spec = {
        "template": {
            "metadata": {"labels": labels if labels is not None else {"app": "web"}},
            "spec": {"containers": containers(), **pod_spec},
        }
    }
    if selector is not ...:
        spec["selector"] = selector if selector is not None else {"matchLabels": {"app": "web"}}
    return {"metadata": {"name": "web"}, "spec": spec}


def job(restart_policy="Never", **spec):
    pod_spec = {"containers": [{"name": "pi", "image": "perl:5.34"}]}
    if restart_policy is not None:
        pod_spec["restartPolicy"] = restart_policy
    return {"metadata": {"name": "pi"}, "spec": {"template": {"spec": pod_spec}, **spec}}


def ingress(path, **spec):
    return {
        "metadata": {"name": "web"},
        "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [path]}}], **spec},
    }


BACKEND = {"service": {"name": "web", "port": {"number": 80}}}
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
SELECTOR = (
    'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
)


@pytest.mark.parametrize(
    "kind, obj",
    [
        ("Service", service()),
        (
            "Service",
            service(
                type="NodePort",
                ports=[
                    {"name": "http", "port": 80, "nodePort": 30080},
                    {"name": "https", "port": 443, "targetPort": "https"},
                ],
            ),
        ),
        ("Service", service(clusterIP="None")),
        ("Service", {"metadata": {"name": "db"}, "spec": {"type": "ExternalName", "externalName": "db.example.com."}}),
        ("Pod", pod()),
        ("Deployment", deployment()),
        ("ReplicaSet", deployment()),
        ("DaemonSet", deployment()),
        ("Job", job()),
        ("Ingress", ingress({"path": "/", "pathType": "Prefix", "backend": BACKEND})),
        ("Namespace", {"metadata": {"name": "shop"}}),
        (
            "Node",
            {
                "metadata": {"name": "worker-1"},
                "spec": {"taints": [{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]},
            },
        ),
    ],
)
def test_a_valid_object_has_no_errors(kind, obj):
    assert errors_for(kind, obj) == []


@pytest.mark.parametrize(
    "kind, obj, expected",
    [
        # ValidateService -> ValidateObjectMeta(..., ValidateServiceName = NameIsDNS1035Label)
        ("Service", service(name="Web_App"), [("metadata.name", f'Invalid value: "Web_App": {DNS1035}')]),
        # apimachinery objectmeta.go: no name at all
        (
            "Service",
            {"spec": service()["spec"]},
            [("metadata.name", "Required value: name or generateName is required")],
        ),
        # validateServicePort: with more than one port every port needs a name
        (
            "Service",
            service(ports=[{"port": 80}, {"port": 443}]),
            [("spec.ports[0].name", "Required value"), ("spec.ports[1].name", "Required value")],
        ),
        (
            "Service",
            service(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}]),
            [("spec.ports[1].name", 'Duplicate value: "http"')],
        ),
        # ValidateService: (protocol, port) pairs must be unique; the key prints as a Go struct
        (
            "Service",
            service(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80, "targetPort": 8080}]),
            [
                (
                    "spec.ports[1]",
                    'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), '
                    'Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
                )
            ],
        ),
        # ValidateService: a nodePort on a ClusterIP Service
        (
            "Service",
            service(ports=[{"port": 80, "nodePort": 30080}]),
            [("spec.ports[0].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")],
        ),
        (
            "Service",
            service(ports=[{"port": 70000}]),
            # the defaulted targetPort (= port) is out of range too
            [
                ("spec.ports[0].port", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                ("spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
            ],
        ),
        # ValidatePortNumOrName: an IANA service name for targetPort
        (
            "Service",
            service(ports=[{"port": 80, "targetPort": "HTTP"}]),
            [
                (
                    "spec.ports[0].targetPort",
                    'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
                ),
                ("spec.ports[0].targetPort", 'Invalid value: "HTTP": must contain at least one letter (a-z)'),
            ],
        ),
        (
            "Service",
            service(ports=[{"port": 80, "protocol": "HTTP"}]),
            [("spec.ports[0].protocol", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"')],
        ),
        (
            "Service",
            service(type="Ingress"),
            [
                (
                    "spec.type",
                    'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
                )
            ],
        ),
        (
            "Service",
            service(type="NodePort", clusterIP="None"),
            [("spec.clusterIPs[0]", "Invalid value: \"None\": may not be set to 'None' for NodePort services")],
        ),
        # ValidateServiceClusterIPsRelatedFields: clusterIPs derived from clusterIP, then IsValidIP
        (
            "Service",
            service(clusterIP="10.96.0.300"),
            [
                (
                    "spec.clusterIPs[0]",
                    'Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
                )
            ],
        ),
        ("Service", service(ports=[]), [("spec.ports", "Required value")]),
        (
            "Service",
            service(sessionAffinity="Sticky"),
            [("spec.sessionAffinity", 'Unsupported value: "Sticky": supported values: "ClientIP", "None"')],
        ),
        # ExternalName: the CNAME must be a DNS-1123 subdomain (a trailing dot is allowed)
        (
            "Service",
            {"metadata": {"name": "db"}, "spec": {"type": "ExternalName", "externalName": "My_DB"}},
            [("spec.externalName", f'Invalid value: "My_DB": {DNS1123_SUBDOMAIN}')],
        ),
        (
            "Service",
            {"metadata": {"name": "db"}, "spec": {"type": "ExternalName"}},
            [("spec.externalName", "Required value")],
        ),
        (
            "Service",
            {
                "metadata": {"name": "db"},
                "spec": {"type": "ExternalName", "externalName": "db.example.com", "clusterIP": "10.96.0.9"},
            },
            [("spec.clusterIPs", "Forbidden: may not be set for ExternalName services")],
        ),
        # validateServiceExternalTrafficPolicy
        (
            "Service",
            service(externalTrafficPolicy="Local"),
            [
                (
                    "spec.externalTrafficPolicy",
                    'Invalid value: "Local": may only be set for externally-accessible services',
                )
            ],
        ),
        # upstream's path is capitalised
        (
            "Service",
            service(loadBalancerSourceRanges=["10.0.0.0/8"]),
            [("spec.LoadBalancerSourceRanges", "Forbidden: may only be used when `type` is 'LoadBalancer'")],
        ),
    ],
)
def test_service_errors_read_as_the_api_server_writes_them(kind, obj, expected):
    assert errors_for(kind, obj) == expected


@pytest.mark.parametrize(
    "new_spec, expected",
    [
        # ValidateServiceUpdate -> validateUpgradeDowngradeClusterIPs, after the strategy's
        # normalizeClusterIPs moved clusterIPs along with the changed clusterIP
        (
            {"clusterIP": "10.96.0.6"},
            [("spec.clusterIPs[0]", 'Invalid value: []string{"10.96.0.6"}: may not change once set')],
        ),
        # re-applying YAML without clusterIP keeps the allocated one (patchAllocatedValues)
        ({}, []),
        ({"clusterIP": "10.96.0.5"}, []),
    ],
)
def test_a_services_cluster_ip_is_immutable(new_spec, expected):
    old = service(clusterIP="10.96.0.5")
    assert errors_for("Service", service(**new_spec), old) == expected


@pytest.mark.parametrize(
    "obj, expected",
    [
        # validateContainers
        (pod(containers=[]), [("spec.containers", "Required value")]),
        (
            pod(containers=[{"name": "Web", "image": "nginx"}]),
            [("spec.containers[0].name", f'Invalid value: "Web": {DNS1123_LABEL}')],
        ),
        (pod(containers=[{"name": "web"}]), [("spec.containers[0].image", "Required value")]),
        (pod(containers=containers() + containers()), [("spec.containers[1].name", 'Duplicate value: "web"')]),
        # validateContainerPorts
        (
            pod(containers=containers(ports=[{"containerPort": 0}])),
            [("spec.containers[0].ports[0].containerPort", "Required value")],
        ),
        (
            pod(
                containers=containers(
                    ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}]
                )
            ),
            [("spec.containers[0].ports[1].name", 'Duplicate value: "http"')],
        ),
        (
            pod(containers=containers(ports=[{"containerPort": 80, "name": "web-server-port-x"}])),
            [
                (
                    "spec.containers[0].ports[0].name",
                    'Invalid value: "web-server-port-x": must be no more than 15 characters',
                )
            ],
        ),
        (
            pod(restartPolicy="Sometimes"),
            [
                (
                    "spec.restartPolicy",
                    'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
                )
            ],
        ),
        (pod(hostname="Web_1"), [("spec.hostname", f'Invalid value: "Web_1": {DNS1123_LABEL}')]),
        # IsDNS1123Label: a valid subdomain with dots gets the short message
        (pod(subdomain="my.sub"), [("spec.subdomain", 'Invalid value: "my.sub": must not contain dots')]),
        (pod(nodeName="Worker_1"), [("spec.nodeName", f'Invalid value: "Worker_1": {DNS1123_SUBDOMAIN}')]),
        # ValidateTolerations
        (
            pod(tolerations=[{"key": "gpu", "operator": "Exists", "value": "yes"}]),
            [
                (
                    "spec.tolerations[0].operator",
                    "Invalid value: \"yes\": value must be empty when `operator` is 'Exists'",
                )
            ],
        ),
        (
            pod(tolerations=[{"key": "gpu", "operator": "In", "value": "yes"}]),
            [("spec.tolerations[0].operator", 'Unsupported value: "In": supported values: "Equal", "Exists"')],
        ),
        (
            pod(tolerations=[{"key": "gpu", "value": "yes", "effect": "NoRun"}]),
            [
                (
                    "spec.tolerations[0].effect",
                    'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
                )
            ],
        ),
        (
            pod(tolerations=[{"operator": "Equal", "value": "x"}]),
            [
                (
                    "spec.tolerations[0].operator",
                    'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
                )
            ],
        ),
        # unversionedvalidation.ValidateLabels on nodeSelector
        (
            pod(nodeSelector={"disk": "very fast"}),
            [
                (
                    "spec.nodeSelector",
                    'Invalid value: "very fast": a valid label must be an empty string or consist of alphanumeric '
                    "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                    "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                )
            ],
        ),
    ],
)
def test_pod_errors_read_as_the_api_server_writes_them(obj, expected):
    assert errors_for("Pod", obj) == expected


def test_a_pod_update_that_changes_more_than_the_image_is_forbidden():
    # ValidatePodUpdate: the first line is upstream's; the diff after it is ours (upstream prints go-cmp's)
    got = errors_for("Pod", pod(nodeName="worker-2"), pod(nodeName="worker-1"))
    assert len(got) == 1
    field, message = got[0]
    assert field == "spec"
    assert message.split("\n")[0] == (
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
    )
    assert '+ spec.nodeName: "worker-2"' in message


def test_a_pod_update_may_change_the_image():
    new = pod()
    new["spec"]["containers"][0]["image"] = "nginx:1.26"
    assert errors_for("Pod", new, pod()) == []


@pytest.mark.parametrize(
    "kind, obj, expected",
    [
        # ValidatePodTemplateSpecForReplicaSet: the template labels print as a Go map
        (
            "Deployment",
            deployment(labels={"app": "webapp"}),
            [
                (
                    "spec.template.metadata.labels",
                    'Invalid value: map[string]string{"app":"webapp"}: `selector` does not match template `labels`',
                )
            ],
        ),
        # ValidateDeploymentSpec: no selector is Required, and nothing then matches the labels
        (
            "Deployment",
            deployment(selector=...),
            [
                ("spec.selector", "Required value"),
                (
                    "spec.template.metadata.labels",
                    'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
                ),
            ],
        ),
        (
            "Deployment",
            deployment(selector={}),
            [
                (
                    "spec.selector",
                    "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:"
                    "[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
                )
            ],
        ),
        # the ReplicaSet's message really says "deployment"
        (
            "ReplicaSet",
            deployment(selector={}),
            [
                (
                    "spec.selector",
                    "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:"
                    "[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
                )
            ],
        ),
        (
            "Deployment",
            deployment(restartPolicy="OnFailure"),
            [("spec.template.spec.restartPolicy", 'Unsupported value: "OnFailure": supported values: "Always"')],
        ),
        (
            "DaemonSet",
            deployment(restartPolicy="Never"),
            [("spec.template.spec.restartPolicy", 'Unsupported value: "Never": supported values: "Always"')],
        ),
        # ValidateDaemonSetSpec: a missing selector selects nothing (no "Required")
        (
            "DaemonSet",
            deployment(selector=...),
            [
                (
                    "spec.template.metadata.labels",
                    'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
                )
            ],
        ),
        (
            "DaemonSet",
            deployment(selector={}),
            [
                (
                    "spec.selector",
                    "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:"
                    "[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset",
                )
            ],
        ),
        (
            "ReplicaSet",
            {**deployment(), "spec": {**deployment()["spec"], "replicas": -1}},
            [("spec.replicas", "Invalid value: -1: must be greater than or equal to 0")],
        ),
        # ValidatePodTemplateSpec reports template labels at spec.template.labels (sic)
        (
            "Deployment",
            deployment(selector={"matchLabels": {"app": "-web"}}, labels={"app": "-web"}),
            [
                (
                    "spec.selector.matchLabels",
                    'Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric '
                    "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                    "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                ),
                (
                    "spec.selector",
                    'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"-web"}, MatchExpressions:'
                    "[]v1.LabelSelectorRequirement(nil)}: invalid label selector",
                ),
            ],
        ),
        # ValidateRollingUpdateDeployment
        (
            "Deployment",
            {
                **deployment(),
                "spec": {**deployment()["spec"], "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
            },
            [
                (
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
                )
            ],
        ),
    ],
)
def test_workload_errors_read_as_the_api_server_writes_them(kind, obj, expected):
    assert errors_for(kind, obj) == expected


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet"])
def test_a_controllers_selector_is_immutable(kind):
    # pkg/registry/apps/*/strategy.go ValidateUpdate (apps/v1)
    new = deployment(selector={"matchLabels": {"app": "web", "tier": "front"}}, labels={"app": "web", "tier": "front"})
    assert errors_for(kind, new, deployment()) == [
        (
            "spec.selector",
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, '
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        )
    ]


@pytest.mark.parametrize(
    "obj, expected",
    [
        # validateJobSpec: an omitted restartPolicy defaults to Always, which a Job refuses as Required
        (
            job(restart_policy=None),
            [("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')],
        ),
        (
            job(restart_policy="Always"),
            [("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')],
        ),
        (job(completions=-1), [("spec.completions", "Invalid value: -1: must be greater than or equal to 0")]),
        (job(parallelism=-2), [("spec.parallelism", "Invalid value: -2: must be greater than or equal to 0")]),
        (job(backoffLimit=-1), [("spec.backoffLimit", "Invalid value: -1: must be greater than or equal to 0")]),
        # validateGeneratedSelector: a user selector next to a generated one is "not auto-generated"
        (
            job(selector={"matchLabels": {"app": "pi"}}),
            [
                (
                    "spec.selector",
                    'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", '
                    f'"batch.kubernetes.io/controller-uid":"{JOB_UID}"}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: '
                    "`selector` not auto-generated",
                ),
                (
                    "spec.template.metadata.labels",
                    "Invalid value: map[string]string{"
                    f'"batch.kubernetes.io/controller-uid":"{JOB_UID}", "batch.kubernetes.io/job-name":"pi", '
                    f'"controller-uid":"{JOB_UID}", "job-name":"pi"}}: `selector` does not match template `labels`',
                ),
            ],
        ),
        # a manual selector must still match the template
        (
            job(manualSelector=True, selector={"matchLabels": {"app": "pi"}}),
            [
                (
                    "spec.template.metadata.labels",
                    "Invalid value: map[string]string(nil): `selector` does not match template `labels`",
                )
            ],
        ),
        (
            job(completionMode="Sometimes"),
            [("spec.completionMode", 'Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"')],
        ),
    ],
)
def test_job_errors_read_as_the_api_server_writes_them(obj, expected):
    assert errors_for("Job", obj) == expected


def test_a_jobs_template_and_completions_are_immutable():
    # ValidateJobSpecUpdate (the template's %#v dump is abbreviated by us)
    new = job(completions=3)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:5.36"
    assert errors_for("Job", new, job(completions=2)) == [
        ("spec.completions", "Invalid value: 3: field is immutable"),
        ("spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable"),
    ]


@pytest.mark.parametrize(
    "obj, expected",
    [
        # validateHTTPIngressPath
        (
            ingress({"path": "/shop", "backend": BACKEND}),
            [("spec.rules[0].http.paths[0].pathType", "Required value: pathType must be specified")],
        ),
        (
            ingress({"path": "shop", "pathType": "Prefix", "backend": BACKEND}),
            [("spec.rules[0].http.paths[0].path", 'Invalid value: "shop": must be an absolute path')],
        ),
        (
            ingress({"path": "/a//b", "pathType": "Exact", "backend": BACKEND}),
            [("spec.rules[0].http.paths[0].path", "Invalid value: \"/a//b\": must not contain '//'")],
        ),
        (
            ingress({"path": "/", "pathType": "Regex", "backend": BACKEND}),
            [
                (
                    "spec.rules[0].http.paths[0].pathType",
                    'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
                )
            ],
        ),
        # validateIngressBackend
        (
            ingress(
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": "web", "port": {"number": 80, "name": "http"}}},
                }
            ),
            [("spec.rules[0].http.paths[0].backend", 'Invalid value: "": cannot set both port name & port number')],
        ),
        (
            ingress({"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web"}}}),
            [("spec.rules[0].http.paths[0].backend", "Required value: port name or number is required")],
        ),
        (
            ingress(
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "Web", "port": {"number": 80}}}}
            ),
            [("spec.rules[0].http.paths[0].backend.service.name", f'Invalid value: "Web": {DNS1035}')],
        ),
        # ValidateIngressSpec
        (
            {"metadata": {"name": "web"}, "spec": {}},
            [
                (
                    "spec",
                    "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified",
                )
            ],
        ),
        (
            {"metadata": {"name": "web"}, "spec": {"rules": [{"host": "10.0.0.1"}]}},
            [("spec.rules[0].host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address')],
        ),
        (
            {"metadata": {"name": "web"}, "spec": {"rules": [{"host": "*.*.example.com"}]}},
            [
                (
                    "spec.rules[0].host",
                    "Invalid value: \"*.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by "
                    "a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and "
                    "end with an alphanumeric character (e.g. '*.example.com', regex used for validation is "
                    "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                )
            ],
        ),
        # ValidateIngressCreate: the path has no "metadata." (sic)
        (
            {
                "metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "nginx"}},
                "spec": {"ingressClassName": "nginx", "defaultBackend": BACKEND},
            },
            [
                (
                    "annotations.kubernetes.io/ingress.class",
                    'Invalid value: "nginx": can not be set when the class field is also set',
                )
            ],
        ),
    ],
)
def test_ingress_errors_read_as_the_api_server_writes_them(obj, expected):
    assert errors_for("Ingress", obj) == expected


@pytest.mark.parametrize(
    "kind, obj, expected",
    [
        # ValidateNamespace: namespace names are DNS-1123 labels
        (
            "Namespace",
            {"metadata": {"name": "My-Shop"}},
            [("metadata.name", f'Invalid value: "My-Shop": {DNS1123_LABEL}')],
        ),
        (
            "Namespace",
            {"metadata": {"name": "my.shop"}},
            [("metadata.name", 'Invalid value: "my.shop": must not contain dots')],
        ),
        (
            "Namespace",
            {"metadata": {"name": "shop"}, "spec": {"finalizers": ["cleanup"]}},
            [
                (
                    "spec.finalizers",
                    'Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
                )
            ],
        ),
        # ValidateNode -> validateNodeTaints, with upstream's metadata.taints path (sic)
        (
            "Node",
            {"metadata": {"name": "worker-1"}, "spec": {"taints": [{"key": "gpu", "effect": "NoRun"}]}},
            [
                (
                    "metadata.taints[0].effect",
                    'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
                )
            ],
        ),
        (
            "Node",
            {"metadata": {"name": "worker-1"}, "spec": {"taints": [{"key": "gpu"}]}},
            [("metadata.taints[0].effect", "Required value")],
        ),
        (
            "Node",
            {
                "metadata": {"name": "worker-1"},
                "spec": {
                    "taints": [
                        {"key": "gpu", "effect": "NoSchedule"},
                        {"key": "gpu", "value": "2", "effect": "NoSchedule"},
                    ]
                },
            },
            [
                (
                    "metadata.taints[1]",
                    'Duplicate value: core.Taint{Key:"gpu", Value:"2", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: '
                    "taints must be unique by key and effect pair",
                )
            ],
        ),
        (
            "Node",
            {"metadata": {"name": "Worker_1"}},
            [("metadata.name", f'Invalid value: "Worker_1": {DNS1123_SUBDOMAIN}')],
        ),
    ],
)
def test_node_and_namespace_errors_read_as_the_api_server_writes_them(kind, obj, expected):
    assert errors_for(kind, obj) == expected


def test_validation_never_mutates_its_inputs():
    obj, old = stored("Service", service(clusterIP="10.96.0.6")), stored("Service", service(clusterIP="10.96.0.5"))
    before = copy.deepcopy((obj, old))
    validate("Service", obj, old)
    assert (obj, old) == before
