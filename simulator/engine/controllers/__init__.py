"""kube-controller-manager: the controllers that turn workloads into pods, and Endpoints.

`manager` holds the work queue and the one way controllers create pods; `deployment`,
`replicaset`, `daemonset` and `job` each sync one kind (pkg/controller/<name>); `endpoints`
derives a Service's Endpoints (pkg/controller/endpoint).
"""
