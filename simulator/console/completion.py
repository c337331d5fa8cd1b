"""What the console's Tab completes besides object names (which the browser takes from the
cluster's own entries): kubectl's subcommands the console runs, the resource names the API
serves (plural, singular, short names, as `kubectl api-resources` lists them) and common flags."""

from __future__ import annotations

from simulator.kubeapi import registry

from . import policy

FLAGS = (
    "--all-namespaces",
    "--field-selector=",
    "--for=",
    "--image=",
    "--namespace=",
    "--no-headers",
    "--output=",
    "--port=",
    "--replicas=",
    "--selector=",
    "--show-labels",
    "--target-port=",
    "--type=",
    "--watch",
    "-o",
    "-n",
    "-l",
    "-A",
    "-w",
)
OUTPUTS = ("wide", "yaml", "json", "name", "jsonpath=", "custom-columns=", "go-template=")


def vocabulary() -> dict:
    resources = []
    kinds = {}
    for resource in registry.RESOURCES:
        names = sorted({resource.resource, resource.singular, *resource.short_names})
        resources.extend(names)
        for name in names:
            kinds[name] = resource.kind
    return {
        "subcommands": sorted(policy.ALLOWED),
        "resources": sorted(set(resources)),
        "kinds": kinds,  # resource name -> Kind (to complete object names of that kind)
        "flags": list(FLAGS),
        "outputs": list(OUTPUTS),
    }
