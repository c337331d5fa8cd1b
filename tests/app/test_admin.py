"""The admin lists and filters every kind."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from simulator import models


@pytest.fixture
def admin_client_logged_in(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", [*sorted(models.KIND_MODELS.values(), key=lambda m: m.__name__), models.Cluster], ids=lambda m: m.__name__
)
def test_the_admin_lists_every_kind_and_filters_it_by_cluster(model, admin_client_logged_in, make_cluster):
    cluster = make_cluster("webapp")
    url = f"/admin/simulator/{model._meta.model_name}/"
    response = admin_client_logged_in.get(url)
    assert response.status_code == 200
    if model is not models.Cluster:
        filtered = admin_client_logged_in.get(url, {"cluster__id__exact": cluster.pk})
        assert filtered.status_code == 200
        expected = model.objects.filter(cluster=cluster).count()
        assert f"{expected} " in filtered.content.decode() or expected == 0
