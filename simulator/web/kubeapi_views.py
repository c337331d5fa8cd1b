"""The dashboard's "kubectl" download: a kubeconfig for the person asking, on this cluster
(issue 16). Decided like every read (`permissions.decide`, API_READ): who may not read the
cluster gets the 403 page, not a credential."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from .. import api_selectors, selectors
from ..permissions import Action
from . import identity
from .views import _decided


@require_GET
def kubeconfig(request, slug: str):
    """`<slug>.kubeconfig`: kubectl then reads and writes exactly what this person may here."""
    cluster, refused = _decided(request, Action.API_READ, slug)
    if refused:
        return refused
    actor = identity.actor_of(request)
    student = selectors.student_in_class(actor.student_ids, cluster.classroom_id) if not actor.signed_in else None
    principal = api_selectors.principal_of(actor, student.pk if student is not None else None)
    label = student.display_name if student is not None else (actor.name if actor.signed_in else "me")
    base = request.build_absolute_uri("/").rstrip("/")
    text = api_selectors.kubeconfig_for(cluster, principal, base, label=label)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cluster.slug}.kubeconfig"'
    return response
