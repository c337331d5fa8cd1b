"""The kubelet's share: what a pod sees when it runs on its node.

`envvars`: the Service environment variables a container gets (pkg/kubelet/envvars).
"""
