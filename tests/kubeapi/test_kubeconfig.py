"""kubeconfig files and the credential in the server URL (kubectl sends none over plain http)."""

import pytest
import yaml

from simulator.kubeapi import kubeconfig

SECRET = "s3cret"


def test_a_token_names_its_cluster_and_user_and_cannot_be_forged():
    token = kubeconfig.make_token(SECRET, "demo", "alice")
    assert kubeconfig.read_token(SECRET, token) == kubeconfig.Identity("demo", "alice")
    forged = kubeconfig.make_token("other", "demo", "alice")
    with pytest.raises(kubeconfig.BadToken):
        kubeconfig.read_token(SECRET, forged)
    with pytest.raises(kubeconfig.BadToken):
        kubeconfig.read_token(SECRET, "not-a-token")


def test_over_http_the_token_travels_in_the_server_path_and_the_user_has_no_credentials():
    token = kubeconfig.make_token(SECRET, "demo", "alice")
    config = yaml.safe_load(kubeconfig.render(base="http://127.0.0.1:8000", cluster="demo", user="alice", token=token))
    assert config["clusters"][0]["cluster"] == {"server": f"http://127.0.0.1:8000/k8s/{token}"}
    assert config["users"][0]["user"] == {}
    assert config["current-context"] == "alice@demo"
    assert config["contexts"][0]["context"]["namespace"] == "default"


def test_over_https_the_token_is_a_bearer_token():
    token = kubeconfig.make_token(SECRET, "demo", "alice")
    config = yaml.safe_load(
        kubeconfig.render(base="https://kubeviz.example", cluster="demo", user="alice", token=token)
    )
    assert config["clusters"][0]["cluster"] == {
        "server": "https://kubeviz.example/k8s/demo",
        "insecure-skip-tls-verify": True,
    }
    assert config["users"][0]["user"] == {"token": token}


def test_request_paths_split_into_the_credential_and_the_api_path():
    assert kubeconfig.split_path("/k8s/abc.def.123/api/v1/pods") == ("abc.def.123", "/api/v1/pods")
    assert kubeconfig.split_path("/k8s/abc") == ("abc", "/")
    assert kubeconfig.split_path("/static/x") is None
