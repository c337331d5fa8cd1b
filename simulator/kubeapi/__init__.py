"""The Kubernetes API's wire formats, as pure functions (groundwork for issue 16).

Everything here works on plain manifests (dicts) and bytes; nothing imports Django, and the
engine is reached only through `engine_port`. The delivery layer (URLs, views, the watch
stream and the exec WebSocket) composes these:

    routes        URL path -> what it names (resource, namespace, name, subresource)
    registry      the served resources: group/version, plural, short names, verbs, categories
    negotiation   Accept header -> plain object, Table (v1/v1beta1) or aggregated discovery
    discovery     /version, /api, /apis (legacy and apidiscovery v2/v2beta1), the OpenAPI v2 stub
    openapi       /openapi/v3: the vendored v1.33 documents (kubectl explain)
    status        metav1.Status errors in the API server's words
    printers      meta.k8s.io Tables: per-kind columns and cells (kubectl get)
    selection     label and field selectors, List objects
    watch         watch events, history and resourceVersion semantics, bookmarks, encoding
    patch         merge patch, JSON patch, strategic merge patch, server-side apply merging
    managed       server-side apply field management: managedFields, conflicts, removals
    strict        fieldValidation: unknown fields
    protowire     protobuf request bodies (kubectl >= 1.32), from the vendored .proto files
    objects       full statuses, Endpoints, EndpointSlices, Events, Scale built from engine facts
    served        every object of a kind as the API serves it, from a running engine
    gotypes       the vendored Go types' struct tags (JSON names, patch strategies, proto names)
    execstream    exec over WebSocket (v5/v4.channel.k8s.io) framing and session
    shell         the commands a simulated pod runs (nslookup, env, curl, wget, ...)
    sandbox       a pod seen from inside, from the engine (DNS, env, trace)
    kubeconfig    kubeconfig files, and the credential that travels in the server URL
    writes        write options, namespace and resourceVersion checks, DeleteOptions, pod logs
    events        the Events controllers and kubelet record, in their words
    retime        timestamps shifted between the engine clock and the wall clock (client-side ages)
    engine_port   the one module that imports the engine
"""
