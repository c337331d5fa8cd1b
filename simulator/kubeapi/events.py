"""The Events real controllers record, in their words, for `kubectl describe` and `get events`.

Each function returns an `EventText` (type, reason, message, reporting component) that
`objects.events_for` turns into a core/v1 Event about an object. The wiring step emits them
when the engine's controllers act (a pod created, scaled, scheduled, started). Sources:
pkg/scheduler/schedule_one.go ("Scheduled", "Successfully assigned %v/%v to %v"),
pkg/controller/controller_utils.go (SuccessfulCreate "Created pod: %v", SuccessfulDelete
"Deleted pod: %v"), pkg/controller/deployment/sync.go (ScalingReplicaSet "Scaled %s replica set
%s from %d to %d"), pkg/controller/job/job_controller.go (Completed "Job completed"),
pkg/kubelet/images/image_manager.go (Pulled `Container image "%s" already present on machine`),
pkg/kubelet/kuberuntime/kuberuntime_container.go (Created "Created container %s", Started
"Started container %s", Killing "Stopping container %s").
"""

from __future__ import annotations

from typing import NamedTuple


class EventText(NamedTuple):
    type: str  # Normal or Warning
    reason: str
    message: str
    component: str  # source.component / reportingComponent


def scheduled(namespace: str, pod: str, node: str) -> EventText:
    return EventText("Normal", "Scheduled", f"Successfully assigned {namespace}/{pod} to {node}", "default-scheduler")


def failed_scheduling(message: str) -> EventText:
    return EventText("Warning", "FailedScheduling", message, "default-scheduler")


def created_pod(pod: str, controller: str) -> EventText:
    """`controller`: replicaset-controller, job-controller, daemonset-controller."""
    return EventText("Normal", "SuccessfulCreate", f"Created pod: {pod}", controller)


def deleted_pod(pod: str, controller: str) -> EventText:
    return EventText("Normal", "SuccessfulDelete", f"Deleted pod: {pod}", controller)


def scaled_replica_set(replica_set: str, old: int, new: int) -> EventText:
    direction = "up" if new > old else "down"
    return EventText(
        "Normal",
        "ScalingReplicaSet",
        f"Scaled {direction} replica set {replica_set} from {old} to {new}",
        "deployment-controller",
    )


def job_completed() -> EventText:
    return EventText("Normal", "Completed", "Job completed", "job-controller")


def container_started(container: str, image: str) -> list[EventText]:
    """What kubelet records as a container starts (an image already on the node)."""
    return [
        EventText("Normal", "Pulled", f'Container image "{image}" already present on machine', "kubelet"),
        EventText("Normal", "Created", f"Created container {container}", "kubelet"),
        EventText("Normal", "Started", f"Started container {container}", "kubelet"),
    ]


def container_stopping(container: str) -> EventText:
    return EventText("Normal", "Killing", f"Stopping container {container}", "kubelet")
