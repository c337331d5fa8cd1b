"""The kubelet's share: what a pod sees when it runs on its node.

`node`: the labels a kubelet puts on its Node; `admission`: whether it admits a pod bound to it
without the scheduler; `pods`: a bound pod's address (the CNI plugin's) and start time, or its
rejection; `clock`: the simulated clock, on which Job pods run and finish; `envvars`: the
Service environment variables a container gets (pkg/kubelet/envvars).
"""
