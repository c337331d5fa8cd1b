"""The pages' smaller things from issue 12: lessons in course order, two clusters of one name told
apart, the lesson's title once in the cluster page's header."""

from __future__ import annotations

import re

import pytest

from simulator import lessons

pytestmark = pytest.mark.django_db


def in_course_order(names: list[str]) -> list[str]:
    order = lessons.COURSE_ORDER
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def test_the_lessons_are_listed_in_course_order():
    names = [lesson.name for lesson in lessons.all_lessons()]
    assert names[:3] == ["webapp", "externalname", names[2]] and names == in_course_order(names)
    assert names.index("selector-and") < names.index("ingress-testpath") < names.index("daemonset-fluentd")
    assert names.index("daemonset-fluentd") < names.index("jobs")


def test_the_home_page_lists_the_lessons_in_course_order(client):
    page = client.get("/").content.decode()
    starts = re.findall(r'name="lesson" value="([^"]+)"', page)
    assert starts == [lesson.name for lesson in lessons.all_lessons()] and starts == in_course_order(starts)


def test_a_lesson_started_twice_leaves_two_rows_told_apart_by_their_address(client):
    for _ in range(2):
        client.post("/", {"name": "Jobs class", "lesson": "jobs", "workers": 2, "load_balancer_pool": ""})
    page = client.get("/").content.decode()
    assert "/jobs-class," in page and "/jobs-class-2," in page


def test_the_lesson_title_appears_once_in_the_cluster_pages_header(client, make_cluster):
    title = lessons.get("webapp").title
    cluster = make_cluster("webapp", name=title)
    page = client.get(f"/clusters/{cluster.slug}/").content.decode()
    header = page[page.index('<header class="topbar">') : page.index("</header>")]
    assert header.count(f">{title}<") == 1
    other = make_cluster("webapp", name="Monday")
    page = client.get(f"/clusters/{other.slug}/").content.decode()
    header = page[page.index('<header class="topbar">') : page.index("</header>")]
    assert ">Monday<" in header and f">{title}<" in header
