"""ConfigMaps, Secrets and ServiceAccounts with real kubectl against a live daphne: create, get,
describe, watch and delete, kept across a restart of the server, seen by the dashboard's
websocket and kept when the editor applies other objects (issue 16).

Tests run in file order against one cluster (the webapp lesson); each cleans up after itself
except where the next one says it reads what the previous made.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import subprocess

import pytest

from tests.app.livehelpers import run_apart

from .conftest import VERSIONS, binary
from .test_one_truth import Lines, receive


def test_create_get_describe_delete_a_configmap(kube):
    out = kube("create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3")
    assert out.strip() == "configmap/settings created"
    table = kube("get", "configmaps").splitlines()
    assert table[0].split() == ["NAME", "DATA", "AGE"]
    assert any(line.split()[:2] == ["settings", "2"] for line in table)
    assert kube("get", "cm", "settings", "-o", "jsonpath={.data.mode}/{.data.level}") == "fast/3"
    described = kube("describe", "configmap", "settings")
    assert re.search(r"^Name:\s+settings$", described, re.M)
    assert re.search(r"^Namespace:\s+default$", described, re.M)
    assert re.search(r"^mode:\n-+\nfast$", described, re.M), described
    assert kube("delete", "configmap", "settings").startswith('configmap "settings" deleted')
    gone = kube.run("get", "configmap", "settings", check=False)
    assert gone.returncode == 1
    assert 'Error from server (NotFound): configmaps "settings" not found' in gone.stderr


def test_create_get_describe_delete_a_generic_secret(kube):
    out = kube("create", "secret", "generic", "db", "--from-literal=password=hunter2", "--from-literal=user=admin")
    assert out.strip() == "secret/db created"
    table = kube("get", "secrets").splitlines()
    assert table[0].split() == ["NAME", "TYPE", "DATA", "AGE"]
    assert any(line.split()[:3] == ["db", "Opaque", "2"] for line in table)
    encoded = kube("get", "secret", "db", "-o", "jsonpath={.data.password}")
    assert base64.b64decode(encoded) == b"hunter2"
    described = kube("describe", "secret", "db")
    assert re.search(r"^Type:\s+Opaque$", described, re.M)
    assert re.search(r"^password:\s+7 bytes$", described, re.M), described
    assert "hunter2" not in described
    assert kube("delete", "secret", "db").startswith('secret "db" deleted')


def test_create_get_describe_delete_a_serviceaccount(kube):
    assert kube("create", "serviceaccount", "robot").strip() == "serviceaccount/robot created"
    table = kube("get", "sa").splitlines()
    assert table[0].split() == ["NAME", "SECRETS", "AGE"]
    assert any(line.split()[:2] == ["robot", "0"] for line in table)
    described = kube("describe", "serviceaccount", "robot")
    assert re.search(r"^Name:\s+robot$", described, re.M)
    assert re.search(r"^Image pull secrets:\s+<none>$", described, re.M), described
    assert kube("delete", "sa", "robot").startswith('serviceaccount "robot" deleted')


def test_a_bad_key_is_the_api_servers_invalid_error(kube):
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {'a/b': x}\n"
    done = kube.run("apply", "-f", "-", stdin=bad, check=False)
    assert done.returncode == 1
    assert 'The ConfigMap "bad" is invalid: data[a/b]: Invalid value: "a/b": a valid config key must consist' in (
        done.stderr
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_create_configmap_on_each_kubectl(kube, version):
    name = f"cm-{version.replace('.', '-')}"
    assert kube("create", "configmap", name, "--from-literal=k=v", version=version).strip() == (
        f"configmap/{name} created"
    )
    assert kube("get", "cm", name, "-o", "jsonpath={.data.k}", version=version) == "v"
    kube("delete", "cm", name, version=version)


def test_exec_env_shows_variables_from_a_configmap_and_a_secret(kube):
    kube("create", "configmap", "app-config", "--from-literal=MODE=fast")
    kube("create", "secret", "generic", "app-secret", "--from-literal=password=hunter2")
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: configured}
spec:
  containers:
  - name: app
    image: busybox
    envFrom: [{configMapRef: {name: app-config}}]
    env:
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}
"""
    kube("apply", "-f", "-", stdin=pod)
    env = kube("exec", "configured", "--", "env").splitlines()
    assert "MODE=fast" in env and "PASSWORD=hunter2" in env
    kube("delete", "pod", "configured")
    kube("delete", "configmap", "app-config")
    kube("delete", "secret", "app-secret")


def test_get_w_sees_a_configmaps_create_update_and_delete(kube):
    process = subprocess.Popen(
        [binary("newest"), "--cache-dir", str(kube.cache / "watch-cm"), "get", "cm", "-w", "--output-watch-events"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "KUBECONFIG": str(kube.kubeconfig)},
    )
    try:
        lines = Lines(process)
        kube("create", "configmap", "watched", "--from-literal=a=1")
        assert lines.until(lambda line: "watched" in line).split()[:3] == ["ADDED", "watched", "1"]
        kube(
            "apply",
            "-f",
            "-",
            stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: '1', b: '2'}\n",
        )
        assert lines.until(lambda line: "watched" in line).split()[:3] == ["MODIFIED", "watched", "2"]
        kube("delete", "cm", "watched")
        assert lines.until(lambda line: "watched" in line).split()[:2] == ["DELETED", "watched"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_dashboard_learns_of_a_kubectl_configmap_and_an_editor_apply_keeps_it(kube):
    from websockets.asyncio.client import connect

    async def session():
        url = kube.server.url.replace("http://", "ws://") + "/ws/clusters/demo/"
        async with connect(url, additional_headers={"Origin": kube.server.url}, max_size=None) as browser:
            await receive(browser, "snapshot")
            await asyncio.to_thread(kube, "create", "configmap", "from-kubectl", "--from-literal=x=y")
            change = await receive(browser, "change")
            entry = change["set"]["object/ConfigMap/default/from-kubectl"]
            assert entry["manifest"]["data"] == {"x": "y"}
            # The editor applies a buffer that does not hold the ConfigMap: apply leaves it be.
            pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: from-editor}\nspec: {containers: [{name: a, image: nginx}]}\n"
            await browser.send(json.dumps({"type": "apply", "id": 1, "yaml": pod}))
            reply = await receive(browser, "reply")
            assert reply["ok"], reply

    run_apart(session())
    assert kube("get", "cm", "from-kubectl", "-o", "jsonpath={.data.x}") == "y"
    kube("delete", "pod", "from-editor")


def test_objects_made_with_kubectl_survive_a_restart_of_the_server(kube):
    kube("create", "secret", "generic", "kept", "--from-literal=token=abc")
    kube("create", "serviceaccount", "kept")
    kube.server.restart()
    assert base64.b64decode(kube("get", "secret", "kept", "-o", "jsonpath={.data.token}")) == b"abc"
    assert "kept" in kube("get", "sa", "-o", "name")
    assert kube("get", "cm", "from-kubectl", "-o", "jsonpath={.data.x}") == "y"  # made by the test before
    kube("delete", "secret", "kept")
    kube("delete", "sa", "kept")
    kube("delete", "cm", "from-kubectl")
