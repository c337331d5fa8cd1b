"""The lesson file with steps (docs/lessons.md): plain YAML an instructor writes by hand.

    title: ...            description: ...        source: ...
    start: |              # the manifests the cluster starts from (a YAML text, or a list of objects)
      apiVersion: v1 ...
    steps:
    - title: ...
      text: |             # Markdown, rendered safely (markdown.py)
      apply: |            # optional: manifests applied when the step starts
      goals:              # declarative checks (goals.py); each one key naming its type
      - id: endpoints     # optional (g1, g2, ... by position); unique within the step
        title: ...        # optional: what the student reads next to ✓/✗
        endpoints: {service: prod, exactly: {pods: [prod-1, prod-2]}}
      hints: [...]        # revealed one at a time
      solution:           # never sent to a student: CI applies it to prove the step can be solved
        delete: [{kind: Pod, name: busybox}]
        apply: |
        settle: true      # run the simulated clock until no Job is active

`parse_exercise` checks the shape and says what is wrong and where (`steps[1].goals[0].endpoints:
...`); the goals' own checking is in goals.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# Goal type -> (required keys, optional keys). goals.CHECKERS has one checker per type.
TARGET_KEYS = ("exactly", "include", "exclude")
GOAL_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "endpoints": (("service",), ("exactly", "include", "exclude", "ready")),
    "service": (("name",), ("type", "port", "nodePort", "targetPort", "protocol")),
    "env": (("name",), ("pod", "selector", "namespace", "value", "present")),
    "resolve": (("from", "name"), ("type", "rcode", "answers", "answersInclude")),
    "request": (("from", "url"), ("ok", "reaches", "reachesInclude")),
    "ingress": (("path", "service"), ("host", "port")),
    "job": (("name",), ("complete", "succeeded", "completions", "parallelism")),
    "daemonset": (("name", "nodes"), ()),
    "exists": (("kind", "name"), ()),
    "absent": (("kind", "name"), ()),
    "expect": (("path",), ("equals", "notEquals", "contains", "exists", "length")),
}
_COMMON = ("id", "title")
_ID = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
_STEPS_LINE = re.compile(r"^steps:", re.MULTILINE)


class ExerciseError(ValueError):
    """A lesson file with steps that cannot be used; the message says what and where."""


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    type: str
    spec: dict = field(compare=False, hash=False)

    def to_public(self) -> dict:
        return {"id": self.id, "title": self.title, "type": self.type}


@dataclass(frozen=True)
class Solution:
    apply: str = ""
    delete: tuple[tuple[str, str, str], ...] = ()  # (kind, namespace, name)
    settle: bool = False


@dataclass(frozen=True)
class Step:
    number: int  # from 1
    title: str
    text: str
    apply: str
    goals: tuple[Goal, ...]
    hints: tuple[str, ...]
    solution: Solution | None


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    description: str
    source: str
    start: str
    steps: tuple[Step, ...]

    def step(self, number: int) -> Step:
        if not 1 <= number <= len(self.steps):
            raise ExerciseError(f"lesson {self.name!r} has steps 1 to {len(self.steps)}, not {number}")
        return self.steps[number - 1]

    @property
    def start_text(self) -> str:
        """What a new cluster of this lesson is made from: the start and the first step's manifests."""
        parts = [self.start, self.steps[0].apply if self.steps else ""]
        return "\n---\n".join(p for p in parts if p.strip())

    def goal_keys(self) -> list[str]:
        """Every goal of every step as `STEP.GOAL` (the board's columns)."""
        return [f"{s.number}.{g.id}" for s in self.steps for g in s.goals]


def is_exercise(text: str) -> bool:
    """A lesson file with steps (its top level has `steps:`), as opposed to a plain manifest bundle."""
    return bool(_STEPS_LINE.search(text or ""))


def lesson_manifests(name: str, text: str) -> str:
    """The manifests of a lesson file: the file itself, or a lesson with steps' starting manifests."""
    return parse_exercise(name, text).start_text if is_exercise(text) else text


def split_ref(ref: str, default_namespace: str = "default") -> tuple[str, str]:
    namespace, slash, name = str(ref).partition("/")
    return (namespace, name) if slash else (default_namespace, namespace)


def _manifests(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return yaml.safe_dump_all(value, sort_keys=False)
    raise ExerciseError(f"{where}: must be YAML text (a `|` block) or a list of Kubernetes objects")


def _text(value: Any, where: str, *, required: bool = False) -> str:
    if value is None:
        if required:
            raise ExerciseError(f"{where}: Required value")
        return ""
    if not isinstance(value, str | int | float):
        raise ExerciseError(f"{where}: must be text")
    return str(value).strip()


def _goal(raw: Any, where: str, position: int, seen: set[str]) -> Goal:
    if not isinstance(raw, dict):
        raise ExerciseError(f"{where}: a goal is a mapping with one key naming its type")
    types = [k for k in raw if k not in _COMMON]
    if len(types) != 1 or types[0] not in GOAL_TYPES:
        unknown = [k for k in types if k not in GOAL_TYPES]
        said = f"unknown goal type {unknown[0]!r}" if unknown else f"{len(types)} goal types"
        raise ExerciseError(f"{where}: {said}; a goal has exactly one of: {', '.join(GOAL_TYPES)}")
    kind = types[0]
    spec = raw[kind]
    if not isinstance(spec, dict):
        raise ExerciseError(f"{where}.{kind}: must be a mapping")
    required, optional = GOAL_TYPES[kind]
    for key in required:
        if key not in spec:
            raise ExerciseError(f"{where}.{kind}.{key}: Required value")
    for key in spec:
        if key not in required and key not in optional:
            raise ExerciseError(
                f"{where}.{kind}.{key}: unknown field; {kind} takes {', '.join((*required, *optional))}"
            )
    if kind == "endpoints" and sum(k in spec for k in TARGET_KEYS) != 1:
        raise ExerciseError(f"{where}.endpoints: needs exactly one of exactly, include, exclude")
    if kind == "env" and ("pod" in spec) == ("selector" in spec):
        raise ExerciseError(f"{where}.env: needs exactly one of pod, selector")
    if kind == "expect" and sum(k in spec for k in optional) != 1:
        raise ExerciseError(f"{where}.expect: needs exactly one of {', '.join(optional)}")
    _check_values(kind, spec, f"{where}.{kind}")
    goal_id = str(raw.get("id") or f"g{position}")
    if not _ID.match(goal_id):
        raise ExerciseError(f"{where}.id: {goal_id!r} must be lower-case letters, digits and '-'")
    if goal_id in seen:
        raise ExerciseError(f"{where}.id: Duplicate value: {goal_id!r}")
    seen.add(goal_id)
    title = _text(raw.get("title"), f"{where}.title") or _default_title(kind, spec)
    return Goal(goal_id, title, kind, dict(spec))


_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_RECORD_TYPES = ("A", "SRV", "CNAME", "PTR")
_KINDS = ("Namespace", "Node", "Pod", "Deployment", "ReplicaSet", "Service", "Ingress", "Job", "DaemonSet")
_TEXT = ("service", "name", "pod", "namespace", "from", "url", "path", "host", "kind")
_FLAGS = ("ready", "present", "ok", "complete", "exists")
_NUMBERS = ("port", "nodePort", "completions", "parallelism", "succeeded", "length")
_TARGETS = ("exactly", "include", "exclude", "reaches", "reachesInclude", "nodes")


def _check_target(value: Any, where: str) -> None:
    """A set of pods (or nodes): a list of names, {pods: [...]}, {names: [...]} or {selector: {...}}."""
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return
    elif isinstance(value, dict):
        keys = set(value) - {"namespace"}
        if keys == {"selector"} and isinstance(value["selector"], dict):
            return
        if len(keys) == 1 and keys <= {"pods", "names"} and isinstance(value[next(iter(keys))], list):
            return
    raise ExerciseError(f"{where}: a list of names, {{pods: [names]}} or {{selector: {{label: value}}}}")


def _check_values(kind: str, spec: dict, where: str) -> None:
    """The values a goal's fields take, checked when the lesson is read (not when a student runs it)."""
    for key, value in spec.items():
        at = f"{where}.{key}"
        if key in _TEXT and kind != "expect" and not isinstance(value, str):
            raise ExerciseError(f"{at}: must be text")
        if key in _FLAGS and not isinstance(value, bool):
            raise ExerciseError(f"{at}: must be true or false")
        if key in _NUMBERS and (isinstance(value, bool) or not isinstance(value, int)):
            raise ExerciseError(f"{at}: must be a whole number")
        if key in _TARGETS:
            _check_target(value, at)
    if kind == "service" and "type" in spec and spec["type"] not in _SERVICE_TYPES:
        raise ExerciseError(
            f"{where}.type: Unsupported value: {spec['type']!r}: supported values: {', '.join(_SERVICE_TYPES)}"
        )
    if kind == "resolve" and str(spec.get("type", "A")).upper() not in _RECORD_TYPES:
        raise ExerciseError(
            f"{where}.type: Unsupported value: {spec['type']!r}: supported values: {', '.join(_RECORD_TYPES)}"
        )
    if kind in ("exists", "absent") and str(spec["kind"]).lower() not in {k.lower() for k in _KINDS}:
        raise ExerciseError(f"{where}.kind: Unsupported value: {spec['kind']!r}: supported values: {', '.join(_KINDS)}")
    outside = kind == "request" and spec.get("from") == "external"
    if kind in ("resolve", "request") and not outside and spec["from"].count("/") != 1:
        more = " or external" if kind == "request" else ""
        raise ExerciseError(f"{where}.from: NAMESPACE/POD{more}, not {spec['from']!r}")


def _default_title(kind: str, spec: dict) -> str:
    first = next(iter(spec.values()))
    return f"{kind} {first}"


def _solution(raw: Any, where: str) -> Solution | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Solution(apply=raw)
    if not isinstance(raw, dict):
        raise ExerciseError(f"{where}: a mapping with apply, delete and settle (or YAML text to apply)")
    for key in raw:
        if key not in ("apply", "delete", "settle"):
            raise ExerciseError(f"{where}.{key}: unknown field; a solution takes apply, delete, settle")
    deletes = []
    for n, item in enumerate(raw.get("delete") or ()):
        if not isinstance(item, dict) or not item.get("kind") or not item.get("name"):
            raise ExerciseError(f"{where}.delete[{n}]: needs kind and name (NAME or NAMESPACE/NAME)")
        namespace, name = split_ref(item["name"], item.get("namespace") or "default")
        deletes.append((str(item["kind"]), namespace, name))
    return Solution(_manifests(raw.get("apply"), f"{where}.apply"), tuple(deletes), bool(raw.get("settle")))


def parse_exercise(name: str, text: str) -> Exercise:
    """An `Exercise` from a lesson file with steps, or `ExerciseError` saying what is wrong where."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise ExerciseError(f"{name}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ExerciseError(f"{name}: a lesson with steps is a mapping (title, start, steps)")
    for key in raw:
        if key not in ("title", "description", "source", "start", "steps"):
            raise ExerciseError(
                f"{name}: unknown field {key!r}; a lesson takes title, description, source, start, steps"
            )
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ExerciseError(f"{name}: steps: a list of at least one step")
    steps = []
    for n, step in enumerate(steps_raw, start=1):
        where = f"{name}: steps[{n - 1}]"
        if not isinstance(step, dict):
            raise ExerciseError(f"{where}: a step is a mapping (title, text, goals, hints, solution)")
        for key in step:
            if key not in ("title", "text", "apply", "goals", "hints", "solution"):
                raise ExerciseError(
                    f"{where}.{key}: unknown field; a step takes title, text, apply, goals, hints, solution"
                )
        goals_raw = step.get("goals")
        if not isinstance(goals_raw, list) or not goals_raw:
            raise ExerciseError(f"{where}.goals: a list of at least one goal")
        seen: set[str] = set()
        goals = tuple(_goal(g, f"{where}.goals[{i}]", i + 1, seen) for i, g in enumerate(goals_raw))
        hints = step.get("hints") or []
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise ExerciseError(f"{where}.hints: a list of texts")
        steps.append(
            Step(
                number=n,
                title=_text(step.get("title"), f"{where}.title") or f"Step {n}",
                text=_text(step.get("text"), f"{where}.text"),
                apply=_manifests(step.get("apply"), f"{where}.apply"),
                goals=goals,
                hints=tuple(h.strip() for h in hints),
                solution=_solution(step.get("solution"), f"{where}.solution"),
            )
        )
    return Exercise(
        name=name,
        title=_text(raw.get("title"), f"{name}: title") or name,
        description=" ".join(_text(raw.get("description"), f"{name}: description").split()),
        source=_text(raw.get("source"), f"{name}: source"),
        start=_manifests(raw.get("start"), f"{name}: start"),
        steps=tuple(steps),
    )
