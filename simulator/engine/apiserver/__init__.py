"""The API server: `kubectl apply` and `kubectl delete` as kube-apiserver serves them.

A document goes `documents` (YAML to documents, with lines) → `decode` (strict JSON decoding) →
`convert` (old apiVersions) → `defaults` → `strategy` (what the server keeps or resets) →
`validation` (the API server's own words; `warnings` on a valid object) → `registry` (stored
with uid, resourceVersion and allocated addresses from `allocate`); `apply` runs that pipeline
over a whole input.
Sources: kubernetes/kubernetes pkg/apis/*, pkg/registry/*, staging/src/k8s.io/apiserver.
"""
