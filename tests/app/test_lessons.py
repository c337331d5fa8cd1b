"""Lesson bundles: one per course scenario, each valid, each teaching what it says."""

from __future__ import annotations

import pytest

from simulator import lessons
from simulator.engine import ClusterSettings, Engine
from simulator.engine.contract import cluster_view

from ..course import MYSQL_AS_PRINTED

EXPECTED = {
    "webapp",
    "namespaces",
    "redis-master-dns",
    "zone-prod",
    "selector-and",
    "externalname",
    "ingress-single-service",
    "ingress-testpath",
    "daemonset-fluentd",
    "jobs",
}


def applied(name: str) -> tuple[Engine, dict, object]:
    cluster = Engine.new(ClusterSettings())
    result = cluster.apply_text(lessons.get(name).text)
    return cluster, cluster_view(cluster), result


def test_there_is_one_lesson_per_course_scenario_each_with_a_title_and_description(settings):
    found = {lesson.name: lesson for lesson in lessons.all_lessons()}
    assert set(found) >= EXPECTED
    for lesson in found.values():
        assert lesson.title and lesson.title != lesson.name
        assert len(lesson.description) > 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_lesson_applies_without_errors(name):
    _cluster, _view, result = applied(name)
    assert result.ok, [str(e) for e in result.errors]


def test_webapp_gives_busybox_the_webapp_service_variables():
    _c, view, _r = applied("webapp")
    env = view["pods"]["default/busybox"]["env"]
    assert env["WEBAPP_SERVICE_PORT"] == "8080" and env["WEBAPP_PORT"].startswith("tcp://")
    assert len(view["services"]["default/webapp"]["endpoints"]) == 1


def test_zone_prod_selects_all_three_pods_and_the_and_selector_selects_none():
    _c, view, _r = applied("zone-prod")
    assert len(view["services"]["default/prod"]["endpoints"]) == 3
    _cluster, view, _r = applied("selector-and")
    assert view["services"]["default/prod"]["endpoints"] == []


def test_the_old_api_versions_of_the_course_are_accepted_with_a_deprecation_warning():
    for name in ("ingress-single-service", "ingress-testpath", "daemonset-fluentd"):
        _c, _view, result = applied(name)
        assert any("deprecated" in w.message for w in result.warnings), name
    _c, view, _r = applied("daemonset-fluentd")
    assert view["daemonsets"]["kube-system/fluentd"]["current"] == 2


def test_the_parallel_job_runs_five_at_a_time_until_ten_succeed():
    cluster, view, _r = applied("jobs")
    assert view["jobs"]["default/parallel"]["active"] == 5
    assert cluster.settle()
    view = cluster_view(cluster)
    assert view["jobs"]["default/parallel"]["succeeded"] == 10 and view["jobs"]["default/parallel"]["complete"]
    assert view["jobs"]["default/oneshot"]["succeeded"] == 1


def test_the_courses_broken_mysql_yaml_gives_a_clear_yaml_error_on_its_line():
    cluster = Engine.new(ClusterSettings())
    result = cluster.apply_text(MYSQL_AS_PRINTED)
    assert not result.ok
    error = result.errors[0]
    assert error.line == 4
    assert "mapping values are not allowed" in error.message
    assert "labels:" in (error.hint or "")
    fixed = applied("externalname")[1]["services"]["default/mysql-server"]
    assert fixed["type"] == "ExternalName" and fixed["clusterIP"] is None
