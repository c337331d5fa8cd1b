"""kube-proxy: the rules it programs on a node (`iptables`, pkg/proxy/iptables)."""
