"""Lesson bundles: YAML files in `lessons/`, one per course scenario, each opening with a
comment header (`# title:`, `# description:` with indented continuation lines, `# source:`).
The bundle itself is plain Kubernetes YAML: `kubectl apply -f` would take it as it is.

A lesson file may instead have steps (docs/lessons.md: `title`, `start`, `steps` with goals,
hints and reference solutions): its `exercise` is then the parsed `exercises.Exercise`, and its
`text` the manifests a new cluster starts from, so everything that loads lessons keeps working."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .exercises import Exercise, ExerciseError, is_exercise, parse_exercise

_FIELD = re.compile(r"^#\s*(title|description|source):\s*(.*)$")
_MORE = re.compile(r"^#\s{2,}(.*)$")


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    description: str
    source: str
    text: str
    exercise: Exercise | None = None


class UnknownLesson(LookupError):
    def __init__(self, name: str, known: list[str]):
        super().__init__(f"no lesson named {name!r}; lessons: {', '.join(known)}")


def directory() -> Path:
    return Path(getattr(settings, "KUBEVIZ_LESSONS_DIR", settings.BASE_DIR / "lessons"))


def parse(name: str, text: str) -> Lesson:
    if is_exercise(text):
        exercise = parse_exercise(name, text)
        return Lesson(name, exercise.title, exercise.description, exercise.source, exercise.start_text, exercise)
    header: dict[str, str] = {"title": name, "description": "", "source": ""}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _FIELD.match(line)
        if match:
            current = match.group(1)
            header[current] = match.group(2).strip()
            continue
        more = _MORE.match(line)
        if more and current:
            header[current] += " " + more.group(1).strip()
    return Lesson(name, header["title"], header["description"], header["source"], text)


# The course's order (docs/course.md): Services, their types, DNS, environment variables, labels,
# Ingress, DaemonSets, Jobs; each topic's exercise after its lessons. A lesson not named here
# comes after these, by name.
COURSE_ORDER = (
    "webapp",
    "externalname",
    "exercise-nodeport",
    "exercise-loadbalancer",
    "exercise-externalname",
    "namespaces",
    "redis-master-dns",
    "exercise-namespaces-dns",
    "exercise-env-vars",
    "zone-prod",
    "selector-and",
    "exercise-selector",
    "ingress-single-service",
    "ingress-testpath",
    "exercise-ingress",
    "daemonset-fluentd",
    "exercise-daemonset-ssd",
    "jobs",
    "exercise-parallel-job",
)


def _course_position(path: Path) -> tuple[int, str]:
    name = path.stem
    return (COURSE_ORDER.index(name) if name in COURSE_ORDER else len(COURSE_ORDER), name)


def all_lessons() -> list[Lesson]:
    """Every lesson, in course order."""
    return [parse(path.stem, path.read_text()) for path in sorted(directory().glob("*.yaml"), key=_course_position)]


def exercise(name: str) -> Exercise:
    """The exercise of a lesson with steps; UnknownLesson when there is no such lesson, and
    ExerciseError when the lesson has no steps."""
    lesson = get(name)
    if lesson.exercise is None:
        raise ExerciseError(f"lesson {name!r} has no steps: it is a plain bundle of manifests")
    return lesson.exercise


def load_path(path: Path) -> Lesson:
    """A lesson from a file anywhere (an instructor's own, for `simulate --check`)."""
    return parse(path.stem, path.read_text())


def get(name: str) -> Lesson:
    path = directory() / f"{name}.yaml"
    if not path.is_file() or "/" in name or name.startswith("."):
        raise UnknownLesson(name, [lesson.name for lesson in all_lessons()])
    return parse(name, path.read_text())
