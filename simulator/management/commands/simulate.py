"""`python manage.py simulate FILE [FILE ...]`: the simulator as a machine-readable command.

The contract is docs/simulate-contract.md: one JSON object on standard output,
exit 0 when every document was accepted, 1 when any was rejected, 2 on usage errors.
`--check LESSON [--step N]` adds the lesson's goals, evaluated on the result (`checks`); a failing
goal does not change the exit status, an unknown lesson or step is a usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from simulator import lessons
from simulator.engine.contract import Query, run
from simulator.exercises import ExerciseError, evaluate


class _Usage(Exception):
    pass


class Command(BaseCommand):
    help = "Load Kubernetes YAML into a fresh simulated cluster and print its state as JSON."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="YAML files ('-' reads standard input)")
        parser.add_argument(
            "--nodes",
            type=int,
            default=None,
            metavar="N",
            help="default topology: the control plane plus N workers (default 2)",
        )
        parser.add_argument(
            "--settle", action="store_true", help="run the simulated clock until no Job is active (bounded)"
        )
        parser.add_argument(
            "--resolve",
            nargs="+",
            action="append",
            default=[],
            metavar="ARG",
            help="FROM NAME [TYPE]: resolve NAME from pod FROM (NAMESPACE/POD); TYPE A, SRV, CNAME, PTR",
        )
        parser.add_argument(
            "--request",
            nargs=2,
            action="append",
            default=[],
            metavar=("FROM", "URL"),
            help="trace a request to URL from pod FROM (NAMESPACE/POD) or from 'external'",
        )
        parser.add_argument(
            "--check",
            metavar="LESSON",
            help="evaluate the goals of LESSON (a lesson's name, or a lesson file) and add them as `checks`",
        )
        parser.add_argument("--step", type=int, metavar="N", help="with --check: only the goals of step N (from 1)")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except _Usage as exc:
            sys.stderr.write(f"simulate: {exc}\n")
            sys.exit(2)

    def handle(self, *args, **options):
        if options["nodes"] is not None and options["nodes"] < 0:
            raise _Usage("--nodes must be 0 or more")
        queries = self._queries(options)
        exercise = self._exercise(options)
        texts = []
        for name in options["files"]:
            if name == "-":
                # Bytes: the engine decodes them and says where the text is not UTF-8.
                texts.append(sys.stdin.buffer.read())
                continue
            try:
                with open(name, "rb") as handle:
                    texts.append(handle.read())
            except OSError as exc:
                raise _Usage(f"cannot read {name}: {exc.strerror}") from None
        from django.conf import settings

        limits = {
            "max_bytes": settings.KUBEVIZ_MAX_INPUT_BYTES,
            "max_documents": settings.KUBEVIZ_MAX_DOCUMENTS,
            "max_object_bytes": settings.KUBEVIZ_MAX_OBJECT_BYTES,
            "max_replicas": settings.KUBEVIZ_MAX_REPLICAS,
            "max_pods": settings.KUBEVIZ_MAX_PODS,
            "max_objects": settings.KUBEVIZ_MAX_OBJECTS,
            "max_errors": settings.KUBEVIZ_MAX_ERRORS,
        }
        out, _cluster = run(texts, workers=options["nodes"], settle=options["settle"], queries=queries, limits=limits)
        if exercise is not None:
            out["checks"] = [c.to_dict() for c in evaluate(_cluster, exercise, options["step"])]
        self.stdout.write(json.dumps(out, indent=2, sort_keys=False))
        if out["errors"]:
            sys.stdout.flush()
            sys.exit(1)

    @staticmethod
    def _exercise(options):
        """The exercise `--check` names (a lesson's name or a lesson file), its step checked."""
        name, step = options["check"], options["step"]
        if name is None:
            if step is not None:
                raise _Usage("--step needs --check LESSON")
            return None
        try:
            path = Path(name)
            if name.endswith((".yaml", ".yml")) or "/" in name:
                if not path.is_file():
                    raise _Usage(f"--check: no lesson file {name}")
                lesson = lessons.load_path(path)
            else:
                lesson = lessons.get(name)
            if lesson.exercise is None:
                raise _Usage(f"--check: lesson {lesson.name!r} has no steps, so no goals to check")
            if step is not None:
                lesson.exercise.step(step)
        except (lessons.UnknownLesson, ExerciseError) as exc:
            raise _Usage(f"--check: {exc}") from None
        return lesson.exercise

    @staticmethod
    def _queries(options) -> list[Query]:
        ordered = []
        argv = sys.argv
        for args in options["resolve"]:
            if len(args) not in (2, 3):
                raise _Usage("--resolve takes FROM NAME [TYPE]")
            rtype = args[2].upper() if len(args) == 3 else "A"
            if rtype not in ("A", "SRV", "CNAME", "PTR"):
                raise _Usage(f"--resolve TYPE must be A, SRV, CNAME or PTR, not {args[2]!r}")
            _check_from(args[0], allow_external=False)
            ordered.append(Query("resolve", args[0], args[1], rtype))
        for source, url in options["request"]:
            _check_from(source, allow_external=True)
            ordered.append(Query("request", source, url))
        # Keep the order given on the command line.
        positions = []
        for _index, token in enumerate(argv):
            if token in ("--resolve", "--request"):
                positions.append(token)
        resolves = iter([q for q in ordered if q.kind == "resolve"])
        requests = iter([q for q in ordered if q.kind == "request"])
        if len(positions) == len(ordered):
            return [next(resolves) if p == "--resolve" else next(requests) for p in positions]
        return ordered


def _check_from(source: str, *, allow_external: bool) -> None:
    if allow_external and source == "external":
        return
    if source.count("/") != 1 or not all(source.split("/")):
        raise _Usage(f"FROM must be NAMESPACE/POD{' or external' if allow_external else ''}, not {source!r}")


__all__ = ["Command", "CommandError"]
