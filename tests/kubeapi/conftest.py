import pathlib

import pytest

from simulator.engine import Engine

LESSONS = pathlib.Path(__file__).resolve().parents[2] / "lessons"


@pytest.fixture
def webapp_engine():
    """The course's webapp lesson: Deployment webapp (run=webapp, port 8080), its Service, a busybox pod."""
    engine = Engine.new()
    result = engine.apply_text((LESSONS / "webapp.yaml").read_text())
    assert not result.errors
    return engine
