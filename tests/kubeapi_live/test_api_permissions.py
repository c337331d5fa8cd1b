"""Every API request is decided by `permissions.decide`: what each person may read and write
through kubectl is what the dashboard allows them, and each refusal is the API server's
`Forbidden` Status with the classroom's reason, changing nothing (issue 16)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from simulator import api_selectors, classrooms, models, permissions, repository, services
from simulator.kubeapi import kubeconfig
from simulator.realtime import apiexec
from simulator.web.apiserver import Api, Reply

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "extra"},
    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
}


@pytest.fixture(autouse=True)
def cold_engines(settings):
    settings.KUBEVIZ_PRUNE_EVERY = 0
    repository.clear_warm()
    yield
    repository.clear_warm()


@pytest.fixture
def world(db):
    group, _ = Group.objects.get_or_create(name=permissions.INSTRUCTORS_GROUP)
    users = {}
    for name in ("teacher", "foreign_teacher"):
        users[name] = get_user_model().objects.create_user(name, password="x")
        users[name].groups.add(group)
    class_a = classrooms.classroom_create(owner=users["teacher"], name="Class A", lesson="webapp")
    class_b = classrooms.classroom_create(owner=users["foreign_teacher"], name="Class B", lesson="webapp")
    ana, _ = classrooms.student_join(code=class_a.join_code, display_name="Ana")
    bo, _ = classrooms.student_join(code=class_a.join_code, display_name="Bo")
    sandbox, _ = classrooms.sandbox_get_or_create(student=ana)
    return {
        "users": users,
        "class_a": class_a,
        "class_b": class_b,
        "ana": ana,
        "bo": bo,
        "sandbox": sandbox,
        "projected": models.Cluster.objects.get(pk=class_a.projected_id),
    }


def token(cluster, principal: str) -> str:
    return kubeconfig.make_token(settings.SECRET_KEY, cluster.slug, principal)


def request(credential: str, method: str, path: str, body: dict | None = None, bearer: str | None = None) -> Reply:
    caller = api_selectors.identify(credential, bearer)
    query = {"fieldValidation": ["Strict"]} if method != "GET" else {}
    headers = {"accept": "application/json", "content-type": "application/json"}
    raw = json.dumps(body).encode() if body is not None else b""
    reply = Api(caller, credential).handle(method, path, query, headers, raw)
    assert isinstance(reply, Reply)
    return reply


def status_of(reply: Reply) -> dict:
    return json.loads(reply.body)


def assert_forbidden(reply: Reply, message: str) -> None:
    assert reply.code == 403
    body = status_of(reply)
    assert body["kind"] == "Status" and body["reason"] == "Forbidden" and body["code"] == 403
    assert body["message"] == message


def test_a_student_reads_and_writes_their_own_sandbox(world):
    sandbox = world["sandbox"]
    credential = token(sandbox, f"student:{world['ana'].pk}")
    assert request(credential, "GET", "/api/v1/namespaces/default/pods").code == 200
    created = request(credential, "POST", "/api/v1/namespaces/default/pods", POD)
    assert created.code == 201 and status_of(created)["metadata"]["name"] == "extra"


def test_another_student_may_not_read_a_students_sandbox(world):
    sandbox = world["sandbox"]
    before = models.Cluster.objects.get(pk=sandbox.pk).version
    credential = token(sandbox, f"student:{world['bo'].pk}")
    assert_forbidden(
        request(credential, "GET", "/api/v1/namespaces/default/pods"),
        'pods is forbidden: User "student:Bo" cannot list resource "pods" in API group "" in the namespace '
        '"default": this sandbox is private to its student and the class\'s instructors',
    )
    assert_forbidden(
        request(credential, "POST", "/api/v1/namespaces/default/pods", POD),
        'pods is forbidden: User "student:Bo" cannot create resource "pods" in API group "" in the namespace '
        '"default": this sandbox is private to its student and the class\'s instructors',
    )
    assert models.Cluster.objects.get(pk=sandbox.pk).version == before


def test_anonymous_may_not_read_a_sandbox(world):
    sandbox = world["sandbox"]
    # https: the path names the cluster and no bearer token comes.
    assert_forbidden(
        request(sandbox.slug, "GET", "/apis/apps/v1/namespaces/default/deployments/webapp"),
        'deployments.apps "webapp" is forbidden: User "system:anonymous" cannot get resource "deployments" '
        'in API group "apps" in the namespace "default": this sandbox is private to its student and the '
        "class's instructors",
    )
    assert_forbidden(
        request(token(sandbox, "anonymous"), "GET", "/api/v1/nodes"),
        'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the '
        "cluster scope: this sandbox is private to its student and the class's instructors",
    )


def test_another_class_instructor_may_not_read_the_projected_cluster(world):
    projected = world["projected"]
    credential = token(projected, "user:foreign_teacher")
    assert_forbidden(
        request(credential, "GET", "/api/v1/namespaces/default/services"),
        'services is forbidden: User "foreign_teacher" cannot list resource "services" in API group "" in the '
        'namespace "default": this is a class\'s projected cluster: join the class with its code to watch it',
    )
    assert request(token(projected, "user:teacher"), "GET", "/api/v1/namespaces/default/services").code == 200


def test_a_read_only_watcher_may_read_but_not_write(world):
    projected = world["projected"]
    before = models.Cluster.objects.get(pk=projected.pk).version
    credential = token(projected, f"student:{world['ana'].pk}")
    assert request(credential, "GET", "/api/v1/namespaces/default/pods").code == 200
    refused = {
        "create": request(credential, "POST", "/api/v1/namespaces/default/pods", POD),
        "delete": request(credential, "DELETE", "/api/v1/namespaces/default/pods/busybox"),
        "patch": request(credential, "PATCH", "/apis/apps/v1/namespaces/default/deployments/webapp/scale"),
    }
    reason = "only the class's instructors edit the projected cluster: “My copy” gives you a sandbox to edit"
    assert_forbidden(
        refused["create"],
        f'pods is forbidden: User "student:Ana" cannot create resource "pods" in API group "" in the namespace '
        f'"default": {reason}',
    )
    assert_forbidden(
        refused["delete"],
        f'pods "busybox" is forbidden: User "student:Ana" cannot delete resource "pods" in API group "" in the '
        f'namespace "default": {reason}',
    )
    assert refused["patch"].code == 403
    assert models.Cluster.objects.get(pk=projected.pk).version == before
    # The instructor watching a student's sandbox is read-only until "Take over".
    teacher = token(world["sandbox"], "user:teacher")
    assert request(teacher, "GET", "/api/v1/namespaces/default/pods").code == 200
    assert_forbidden(
        request(teacher, "DELETE", "/api/v1/namespaces/default/pods/busybox"),
        'pods "busybox" is forbidden: User "teacher" cannot delete resource "pods" in API group "" in the '
        'namespace "default": you are watching this sandbox read-only: “Take over” lets you edit it',
    )


def test_a_removed_student_loses_access_at_once(world):
    credential = token(world["sandbox"], f"student:{world['ana'].pk}")
    assert request(credential, "GET", "/api/v1/pods").code == 200
    classrooms.student_remove(student=world["ana"])
    reply = request(credential, "GET", "/api/v1/pods")
    assert reply.code == 403 and status_of(reply)["message"].endswith("the instructor removed you from this class")


def test_a_token_this_server_did_not_make_is_unauthorized(world):
    forged = kubeconfig.make_token("another-secret", world["sandbox"].slug, f"student:{world['ana'].pk}")
    with pytest.raises(api_selectors.Unauthorized):
        api_selectors.identify(forged)
    with pytest.raises(api_selectors.Unauthorized):
        api_selectors.identify(world["sandbox"].slug, bearer=forged)
    # A bearer token for one cluster does not open another.
    other = token(world["projected"], "user:teacher")
    with pytest.raises(api_selectors.Unauthorized):
        api_selectors.identify(world["sandbox"].slug, bearer=other)


def test_exec_is_refused_like_every_read(world):
    sandbox = world["sandbox"]
    bo, ana = token(sandbox, f"student:{world['bo'].pk}"), token(sandbox, f"student:{world['ana'].pk}")
    path = f"/k8s/{bo}/api/v1/namespaces/default/pods/busybox/exec"
    scope = {"path": path, "query_string": b"command=env&stdout=true", "headers": [], "_kubeviz_protocol": "v5"}
    stream, refused = apiexec._open(scope)
    assert stream is None and refused["reason"] == "Forbidden"
    assert refused["message"].startswith('pods "busybox" is forbidden: User "student:Bo" cannot create resource "pods"')
    mine = f"/k8s/{ana}/api/v1/namespaces/default/pods/busybox/exec"
    stream, refused = apiexec._open({**scope, "path": mine})
    assert refused is None and stream is not None


def test_a_write_goes_through_the_dashboards_apply_path(world):
    """A kubectl write is an ordinary cluster write: version bumped, rows written, the change
    (with who made it) pushed to the cluster's group."""
    sandbox = world["sandbox"]
    before = models.Cluster.objects.get(pk=sandbox.pk).version
    credential = token(sandbox, f"student:{world['ana'].pk}")
    assert request(credential, "POST", "/api/v1/namespaces/default/pods", POD).code == 201
    row = models.Cluster.objects.get(pk=sandbox.pk)
    assert row.version == before + 1
    assert models.KIND_MODELS["Pod"].objects.filter(cluster=row, name="extra").exists()
    assert services.user_name(api_selectors.identify(credential).actor) == "Ana"


def test_manage_kubeconfig_http_puts_the_token_in_the_path_https_sends_it_as_bearer(world):
    import io

    import yaml
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("kubeconfig", world["projected"].slug, "--user", "teacher", "--server", "http://h:8000", stdout=out)
    config = yaml.safe_load(out.getvalue())
    server = config["clusters"][0]["cluster"]["server"]
    assert server.startswith("http://h:8000/k8s/") and config["users"][0]["user"] == {}
    caller = api_selectors.identify(server.rsplit("/", 1)[1])
    assert caller.cluster.pk == world["projected"].pk and caller.user == "teacher"
    out = io.StringIO()
    call_command("kubeconfig", world["projected"].slug, "--user", "teacher", "--server", "https://h", stdout=out)
    config = yaml.safe_load(out.getvalue())
    assert config["clusters"][0]["cluster"]["server"] == f"https://h/k8s/{world['projected'].slug}"
    bearer = config["users"][0]["user"]["token"]
    assert api_selectors.identify(world["projected"].slug, bearer).user == "teacher"
    with pytest.raises(CommandError, match="no cluster 'nope'"):
        call_command("kubeconfig", "nope")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        call_command("kubeconfig", world["projected"].slug, "--user", "ghost")


def test_the_dashboard_download_names_the_student_and_is_refused_to_others(world):
    from django.test import Client

    sandbox = world["sandbox"]
    client = Client()
    session = client.session
    session[permissions.SESSION_STUDENTS] = [world["ana"].pk]
    session.save()
    reply = client.get(f"/clusters/{sandbox.slug}/kubeconfig")
    assert reply.status_code == 200
    import yaml

    config = yaml.safe_load(reply.content)
    assert config["current-context"] == f"ana@{sandbox.slug}"
    credential = config["clusters"][0]["cluster"]["server"].rsplit("/", 1)[1]
    assert api_selectors.identify(credential).user == "student:Ana"
    stranger = Client().get(f"/clusters/{sandbox.slug}/kubeconfig")
    assert stranger.status_code == 403 and b"private to its student" in stranger.content
