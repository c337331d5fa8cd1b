"""The dashboard's pages and their plain forms (the page without JavaScript): create, apply
(errors on their lines, 409 on a stale edit, the dry run), delete, clock, fork, the download."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from simulator import models, repository, selectors, services
from simulator.engine import ClusterSettings, Engine

pytestmark = pytest.mark.django_db

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: webapp-nodeport
spec:
  type: NodePort
  selector: {run: webapp}
  ports: [{port: 8080, nodePort: 30080}]
"""

BAD = """apiVersion: v1
kind: Pod
metadata: {name: ok-pod}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata:
  name: Bad_Name
spec:
  ports: [{port: 80}]
"""


def test_the_home_page_lists_clusters_and_the_lessons_to_start_from(client, make_cluster):
    make_cluster("webapp", name="Monday class")
    page = client.get("/").content.decode()
    assert "Monday class" in page and "/clusters/monday-class/" in page
    assert 'value="selector-and"' in page  # a lesson to start from


def test_creating_a_cluster_from_a_lesson_opens_it(client):
    response = client.post("/", {"name": "My sandbox", "lesson": "webapp", "workers": 3, "load_balancer_pool": ""})
    assert response.status_code == 302 and response["Location"] == "/clusters/my-sandbox/"
    cluster = selectors.cluster_by_slug("my-sandbox")
    assert cluster.lesson == "webapp"
    assert models.Node.objects.filter(cluster=cluster).count() == 4
    assert models.Service.objects.filter(cluster=cluster, name="webapp").exists()


def test_an_invalid_create_form_says_what_to_fix(client):
    response = client.post("/", {"name": "", "lesson": "nope", "workers": 0})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "Select a valid choice" in page


def test_the_cluster_page_hands_its_scripts_their_configuration_as_json(client, make_cluster):
    cluster = make_cluster("webapp")
    response = client.get(f"/clusters/{cluster.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<script id="kubeviz-config" type="application/json">') + len(
        '<script id="kubeviz-config" type="application/json">'
    )
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["wsPath"] == f"/ws/clusters/{cluster.slug}/" and config["canEdit"] is True
    assert config["lesson"]["name"] == "webapp"
    assert '<script type="module" src="/static/dist/main.js">' in page
    assert "webapp" in page and "10.96." in page  # the tables for the page without JavaScript
    assert "Simulated: no real packets" in page


def test_an_unknown_cluster_is_a_404(client, db):
    assert client.get("/clusters/nope/").status_code == 404


def test_applying_the_form_changes_the_cluster_and_redirects(client, make_cluster):
    cluster = make_cluster("webapp")
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": SERVICE})
    assert response.status_code == 302
    assert models.Service.objects.filter(cluster=cluster, name="webapp-nodeport").exists()
    page = client.get(response["Location"]).content.decode()
    assert "service/webapp-nodeport created" in page


def test_an_invalid_document_is_reported_on_its_line_changes_nothing_and_keeps_the_text(client, make_cluster):
    cluster = make_cluster("webapp")
    version = cluster.version
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": BAD})
    assert response.status_code == 400
    page = response.content.decode()
    assert "line 9" in page and "metadata.name" in page and "Bad_Name" in page
    assert "Nothing changed" in page or "nothing changed" in page
    assert "ok-pod" in page  # the text comes back in the form
    cluster.refresh_from_db()
    assert cluster.version == version and not models.Pod.objects.filter(cluster=cluster, name="ok-pod").exists()


def test_a_stale_base_resource_version_is_a_409_with_the_current_object(client, make_cluster):
    cluster = make_cluster("webapp")
    response = client.post(
        f"/clusters/{cluster.slug}/",
        {
            "yaml": SERVICE.replace("webapp-nodeport", "webapp"),
            "base_versions": json.dumps({"Service/default/webapp": "1"}),
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Conflict" in page and "resourceVersion" in page
    assert "kind: Service" in page and "name: webapp" in page  # the current object, as YAML


def test_the_dry_run_previews_without_saving(client, make_cluster):
    cluster = make_cluster("webapp")
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": SERVICE, "dry_run": "on"})
    assert response.status_code == 200
    assert "Service/default/webapp-nodeport" in response.content.decode()
    assert not models.Service.objects.filter(cluster=cluster, name="webapp-nodeport").exists()


def test_delete_clock_and_fork_work_as_plain_forms(client, make_cluster):
    cluster = make_cluster("jobs")
    assert client.post(f"/clusters/{cluster.slug}/clock/", {"action": "step", "seconds": "12"}).status_code == 302
    cluster.refresh_from_db()
    assert cluster.clock == 12
    response = client.post(
        f"/clusters/{cluster.slug}/delete-object/", {"kind": "Job", "namespace": "default", "name": "oneshot"}
    )
    assert response.status_code == 302
    assert not models.Job.objects.filter(cluster=cluster, name="oneshot").exists()
    response = client.post(f"/clusters/{cluster.slug}/fork/", {})
    fork = selectors.cluster_by_slug(response["Location"].strip("/").split("/")[-1])
    assert fork.forked_from_id == cluster.pk and models.Job.objects.filter(cluster=fork, name="parallel").exists()


def test_the_download_is_kubectl_ready_yaml_that_rebuilds_the_same_cluster(client, make_cluster):
    cluster = make_cluster("ingress-testpath")
    response = client.get(f"/clusters/{cluster.slug}/export.yaml")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    docs = [d for d in yaml.safe_load_all(text) if d]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Deployment", "test"),
        ("Service", "test"),
        ("Ingress", "test-ingress"),
    ]
    for doc in docs:
        assert "status" not in doc and "uid" not in doc["metadata"] and "resourceVersion" not in doc["metadata"]
    # applied to a new cluster, it gives the same pods behind the same Service
    engine = Engine.new(ClusterSettings())
    assert not engine.apply_text(text, atomic=True).errors
    _row, original = repository.read_engine(cluster)
    assert sorted(p.name for p in engine.list("Pod")) == sorted(p.name for p in original.list("Pod"))


def test_the_form_without_javascript_refuses_an_edit_of_an_object_changed_since_the_page_was_shown(
    client, make_cluster
):
    cluster = make_cluster("webapp")
    page = client.get(f"/clusters/{cluster.slug}/").content.decode()
    seen = re.search(r'name="seen" value="(\d+)"', page).group(1)
    mine = SERVICE.replace("webapp-nodeport", "webapp")
    # Someone else changes the Service after the page was shown.
    assert services.cluster_apply(cluster=cluster, text=mine.replace("30080", "30081")).ok
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": mine, "seen": seen})
    assert response.status_code == 409
    assert "Conflict" in response.content.decode()
    assert models.Service.objects.get(cluster=cluster, name="webapp").manifest["spec"]["ports"][0]["nodePort"] == 30081
    # The page given back carries the version seen now: applying again is deliberate, and goes.
    fresh = re.search(r'name="seen" value="(\d+)"', response.content.decode()).group(1)
    assert int(fresh) > int(seen)
    assert client.post(f"/clusters/{cluster.slug}/", {"yaml": mine, "seen": fresh}).status_code == 302
    # Objects nobody changed since are applied as before.
    other = SERVICE.replace("30080", "30090")
    assert client.post(f"/clusters/{cluster.slug}/", {"yaml": other, "seen": fresh}).status_code == 302


def test_a_stale_resource_version_in_the_yaml_is_a_409_on_the_form_and_the_socket(client, make_cluster):
    cluster = make_cluster("webapp")
    current = models.Service.objects.get(cluster=cluster, name="webapp").resource_version
    stale = SERVICE.replace("webapp-nodeport", "webapp").replace(
        "name: webapp\n", f'name: webapp\n  resourceVersion: "{int(current) - 1}"\n', 1
    )
    response = client.post(f"/clusters/{cluster.slug}/", {"yaml": stale})
    assert response.status_code == 409
    outcome = services.cluster_apply(cluster=cluster, text=stale)
    assert not outcome.ok and outcome.conflict["key"] == "Service/default/webapp"
    assert outcome.conflict["resourceVersion"] == current
    fresh = stale.replace(f'"{int(current) - 1}"', f'"{current}"')
    assert services.cluster_apply(cluster=cluster, text=fresh).ok
