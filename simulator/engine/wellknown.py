"""Labels, annotations and taints with a meaning, each spelled once.

Kubernetes' own (k8s.io/api core/v1 well_known_labels.go and well_known_taints.go,
apps/v1 and batch/v1 types.go, pkg/controller/deployment/util) and kubeviz's `kubeviz.io/`
annotations: the server's bookkeeping on stored objects, and the knobs a Job document may set.
"""

from __future__ import annotations

# ---------------------------------------------------------------------- nodes
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"  # kubeadm's label and taint key
# kubeadm marks a control-plane node with this label too (cmd/kubeadm/app/phases/markcontrolplane).
EXCLUDE_FROM_EXTERNAL_LB = "node.kubernetes.io/exclude-from-external-load-balancers"
# well_known_labels.go: what every kubelet puts on its Node (kubelet_node_status.go initialNode);
# the beta.kubernetes.io ones (pkg/kubelet/apis) are still set next to the stable ones.
HOSTNAME_LABEL = "kubernetes.io/hostname"
OS_LABEL = "kubernetes.io/os"
ARCH_LABEL = "kubernetes.io/arch"
BETA_OS_LABEL = "beta.kubernetes.io/os"
BETA_ARCH_LABEL = "beta.kubernetes.io/arch"
# well_known_taints.go: the taints the node lifecycle controller puts on nodes.
TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"

# ---------------------------------------------------------------------- namespaces, services, ingresses
METADATA_NAME_LABEL = "kubernetes.io/metadata.name"  # SetDefaults_Namespace
# cmd/kube-proxy/app/server.go: kube-proxy does not watch Services carrying this label.
SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"  # the class before spec.ingressClassName

# ---------------------------------------------------------------------- workloads
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"  # apps/v1 DefaultDeploymentUniqueLabelKey
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash"  # apps/v1 DefaultDaemonSetUniqueLabelKey
POD_TEMPLATE_GENERATION_LABEL = "pod-template-generation"  # DaemonSet pods, deprecated but still set
# batch/v1 types.go: the prefixed Job labels since 1.27, the legacy ones still added for
# compatibility; the generated selector uses the prefixed controller-uid.
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
JOB_LABELS = (LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, CONTROLLER_UID_LABEL, JOB_NAME_LABEL)
# An Indexed Job's pod carries its index as this annotation and, since PodIndexLabel (GA 1.32), label.
JOB_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
JOB_COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"

# ---------------------------------------------------------------------- kubeviz.io
# The server's bookkeeping on stored objects: creation order, and the simulated clock's marks on a
# pod (when it started and finished, how often its container restarted). A document cannot set them.
SEQ_ANNOTATION = "kubeviz.io/seq"
STARTED_AT_ANNOTATION = "kubeviz.io/started-at"
FINISHED_AT_ANNOTATION = "kubeviz.io/finished-at"
RESTARTS_ANNOTATION = "kubeviz.io/restarts"
# A pod being deleted gracefully: the kubelet clock's moment its containers have stopped, when the
# kubelet removes it (kubelet/termination).
STOPS_AT_ANNOTATION = "kubeviz.io/stops-at"
SERVER_ANNOTATIONS = frozenset(
    {SEQ_ANNOTATION, STARTED_AT_ANNOTATION, FINISHED_AT_ANNOTATION, RESTARTS_ANNOTATION, STOPS_AT_ANNOTATION}
)
# What a Job document may set: how long each of its pods runs, and how many runs fail.
RUN_SECONDS_ANNOTATION = "kubeviz.io/run-seconds"
FAILURES_ANNOTATION = "kubeviz.io/failures"
