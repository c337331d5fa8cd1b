"""The pure parts of presenting live (simulator/live/presenting.py): view fields, the spotlight's
diff between two clusters' entries, questions and their grading. No database, no server."""

from __future__ import annotations

import pytest

from simulator.live import presenting as live


def obj(kind: str, name: str, labels: dict | None = None, spec: dict | None = None, rv: str = "1") -> tuple:
    ref = f"{kind}/default/{name}"
    manifest = {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-{rv}", "resourceVersion": rv},
        "spec": spec or {},
        "status": {"phase": "Running"},
    }
    if labels:
        manifest["metadata"]["labels"] = labels
    return f"object/{ref}", {"kind": kind, "name": name, "manifest": manifest}


def service(pods: list[str]) -> tuple:
    return "service/default/web", {"endpoints": [{"pod": p, "ip": "10.0.0.1", "port": 80} for p in pods]}


def test_a_copy_differs_in_nothing_though_its_uids_and_resource_versions_do():
    projected = dict([obj("Pod", "a", {"app": "web"}, rv="4"), service(["default/a"])])
    sandbox = dict([obj("Pod", "a", {"app": "web"}, rv="9"), service(["default/a"])])
    assert live.spotlight_diff(projected, sandbox) == {"added": [], "removed": [], "changed": [], "endpoints": {}}


def test_the_diff_names_objects_added_removed_and_changed_and_endpoints_gained_and_lost():
    projected = dict(
        [obj("Pod", "a", {"app": "web"}), obj("Pod", "b", {"app": "web"}), service(["default/a", "default/b"])]
    )
    sandbox = dict(
        [
            obj("Pod", "a", {"app": "db"}, spec={"nodeName": "w1"}),
            obj("Pod", "c", {"app": "web"}),
            service(["default/c"]),
        ]
    )
    assert live.spotlight_diff(projected, sandbox) == {
        "added": ["Pod/default/c"],
        "removed": ["Pod/default/b"],
        "changed": [{"ref": "Pod/default/a", "fields": ["metadata.labels", "spec.nodeName"]}],
        "endpoints": {"default/web": {"gained": ["default/c"], "lost": ["default/a", "default/b"]}},
    }


def test_a_view_event_keeps_only_known_fields_and_a_null_clears_one():
    fields = live.clean_view({"focus": ["Pod/default/b", "Pod/default/a"], "layers": {"system": False, "owners": True}})
    assert fields == {"focus": ["Pod/default/a", "Pod/default/b"], "layers": {"owners": True, "system": False}}
    view = live.merge_view({"select": "Pod/default/a", "tab": "dns"}, live.clean_view({"select": None, "tab": "trace"}))
    assert view == {"tab": "trace"}


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"kind": "poll"}, "question.kind must be one of select, nslookup, curl, choice"),
        ({"kind": "select", "service": "web"}, 'question.service must be "NAMESPACE/NAME"'),
        (
            {"kind": "curl", "from": "busybox", "url": "http://x/"},
            'question.from must be "NAMESPACE/NAME" or "external"',
        ),
        ({"kind": "choice", "prompt": "?", "choices": ["a"]}, "question.choices must be a list of 2 to 8 answers"),
        ({"kind": "choice", "prompt": "?", "choices": ["a", "b"], "correct": 2}, "question.correct must be the index"),
        ({"kind": "choice", "choices": ["a", "b"]}, "question.prompt is needed for a multiple choice"),
        ({"kind": "choice", "prompt": "?", "choices": ["a", "b"], "edit": "x"}, "a multiple choice has no edit"),
    ],
)
def test_a_bad_question_says_which_field_and_why(spec, message):
    with pytest.raises(live.BadInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        live.clean_question(spec)


def test_students_never_see_the_right_choice():
    spec = live.clean_question({"kind": "choice", "prompt": "?", "choices": ["a", "b"], "correct": 1})
    public = live.public_question(7, spec)
    assert "correct" not in public and public["answerWith"] == "choice" and public["choices"] == ["a", "b"]


@pytest.mark.parametrize(
    "truth, said, right",
    [
        ({"rcode": "NXDOMAIN", "values": []}, " nxdomain ", True),
        ({"rcode": "NXDOMAIN", "values": []}, "10.96.0.10", False),
        ({"rcode": "NOERROR", "values": ["10.96.0.44"]}, "10.96.0.44", True),
        ({"rcode": "NOERROR", "values": ["web.example.com."]}, "WEB.example.com", True),
        ({"rcode": "NOERROR", "values": ["10.96.0.44"]}, "NXDOMAIN", False),
    ],
)
def test_an_nslookup_answer_is_right_when_it_says_what_the_resolver_answered(truth, said, right):
    spec = live.clean_question({"kind": "nslookup", "from": "default/a", "name": "web"})
    assert live.grade(spec, truth, live.clean_answer(spec, {"text": said})) is right


def test_the_distribution_is_anonymous_counted_and_most_given_first():
    spec = live.clean_question({"kind": "select", "service": "default/web"})
    truth = {"pods": ["default/a"]}
    answers = [live.clean_answer(spec, {"pods": p}) for p in (["default/a"], ["default/b", "default/a"], ["default/a"])]
    assert live.distribution(spec, truth, answers) == [
        {"answer": "default/a", "count": 2, "correct": True},
        {"answer": "default/a, default/b", "count": 1, "correct": False},
    ]
    assert live.truth_elements(spec, truth) == ["Service/default/web", "Pod/default/a"]
