"""`simulate FILES --check LESSON [--step N]` (docs/simulate-contract.md, "Checking a lesson's goals")."""

from __future__ import annotations

import json

from .test_simulate_command import ROOT, simulate

SELECTOR = str(ROOT / "lessons" / "selector-and.yaml")


def test_check_adds_every_step_s_goals_with_why_and_failing_goals_leave_the_exit_status_alone():
    proc = simulate(SELECTOR, "--check", "exercise-selector")
    assert proc.returncode == 0, proc.stderr
    checks = json.loads(proc.stdout)["checks"]
    assert [(c["step"], c["goal"], c["passed"]) for c in checks] == [
        (1, "prod-1-selected", False),
        (1, "selector-kept", True),
        (2, "both-prod", False),
        (2, "no-canary", True),
    ]
    assert "pod prod-1 lacks label version=v1" in checks[0]["why"]
    assert set(checks[0]) == {"step", "goal", "title", "passed", "why"}


def test_check_of_one_step_on_a_solved_cluster_passes(tmp_path):
    solved = tmp_path / "solved.yaml"
    solved.write_text(
        (ROOT / "lessons" / "selector-and.yaml").read_text().replace("zone: prod\n", "zone: prod\n    version: v1\n", 2)
    )
    proc = simulate(str(solved), "--check", "exercise-selector", "--step", "2")
    assert proc.returncode == 0, proc.stderr
    assert [(c["goal"], c["passed"]) for c in json.loads(proc.stdout)["checks"]] == [
        ("both-prod", True),
        ("no-canary", True),
    ]


def test_check_takes_a_lesson_file_by_path_and_keeps_exit_1_for_rejected_documents(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: Web_App}\nspec: {ports: [{port: 80}]}\n")
    proc = simulate(str(bad), "--check", str(ROOT / "lessons" / "exercise-nodeport.yaml"))
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["errors"] and [c["passed"] for c in out["checks"]] == [False, False, False]


def test_an_unknown_lesson_a_lesson_without_steps_or_an_unknown_step_is_a_usage_error_with_nothing_printed():
    for args, says in [
        (("--check", "nope"), "no lesson named 'nope'"),
        (("--check", "webapp"), "has no steps"),
        (("--check", "exercise-selector", "--step", "3"), "has steps 1 to 2, not 3"),
        (("--step", "1"), "--step needs --check"),
        (("--check", "missing/lesson.yaml"), "no lesson file"),
    ]:
        proc = simulate(SELECTOR, *args)
        assert (proc.returncode, proc.stdout) == (2, ""), args
        assert says in proc.stderr


def test_without_check_there_is_no_checks_key():
    assert "checks" not in json.loads(simulate(SELECTOR).stdout)
