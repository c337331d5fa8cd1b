"""`python manage.py loadscenario`: a lesson into a cluster, created when missing, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from simulator import selectors


def test_loadscenario_creates_the_cluster_and_a_second_run_changes_nothing(db, capsys):
    call_command("loadscenario", "zone-prod", "--cluster", "demo")
    cluster = selectors.cluster_by_slug("demo")
    assert cluster is not None and cluster.lesson == "zone-prod" and cluster.version == 1
    call_command("loadscenario", "zone-prod", "--cluster", "demo")
    cluster.refresh_from_db()
    assert cluster.version == 1
    assert "unchanged" in capsys.readouterr().out


def test_loadscenario_names_the_lessons_when_the_name_is_unknown(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="zone-prod"):
        call_command("loadscenario", "nope", "--cluster", "x")
