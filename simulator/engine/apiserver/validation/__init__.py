"""Validation with the API server's own wording, on DEFAULTED objects, split as Kubernetes splits
it: `meta` (object metadata), `core` (Pods, Services, Nodes, Namespaces), `apps`, `batch` and
`networking` (pkg/apis/<group>/validation), `names` (k8s.io/apimachinery/pkg/util/validation),
and `fields` (safe readers and Go's rendering of bad values).

Each kind's validator returns the `FieldError`s the API server's validation (and the parts of
the REST strategies that validate) would report for creating `obj` (`old` is None) or for
updating the stored, defaulted `old` to `obj`, in the order the Go code appends them;
`kinds.validate` runs the kind's validator and drops exact duplicates, as
field.ErrorList.ToAggregate does. Sources (read, not copied): Kubernetes 1.33, cited in each
module; k8s.io/apimachinery/pkg/util/validation/field/errors.go for how values print.

Expectations on the input: decoding passed (values have the right JSON types), defaults
applied; for a Job create, the Job strategy's `prepare_job_for_create` applied (it gives the uid
and the generated selector that validation checks); for a Service, clusterIPs may be absent
(they are derived from `clusterIP` as the Service strategy does). For updates, `obj` is the
full new object (after kubectl's apply merge), `old` the stored one.
"""
