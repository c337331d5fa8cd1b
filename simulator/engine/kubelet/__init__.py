"""The kubelet's share: what a pod sees when it runs on its node.

`pods`: a bound pod's address (the CNI plugin's) and start time; `clock`: the simulated clock,
on which Job pods run and finish; `envvars`: the Service environment variables a container gets
(pkg/kubelet/envvars).
"""
