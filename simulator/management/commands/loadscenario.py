"""python manage.py loadscenario NAME --cluster SLUG

Loads a lesson bundle into a cluster: creates the cluster when it does not exist, otherwise
applies the bundle to it (idempotent: a second run changes nothing), through the services, so
everyone watching sees it. A new cluster is `open` (anyone may watch and edit) while
KUBEVIZ_OPEN_CLUSTERS is on; `--owner NAME` makes it that user's personal cluster instead (and
without either, only an administrator reaches it)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator import lessons, selectors, services


class Command(BaseCommand):
    help = "Load a lesson bundle (lessons/NAME.yaml) into a cluster, creating the cluster if needed."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="lesson name (a file of lessons/ without .yaml)")
        parser.add_argument("--cluster", help="the cluster's slug (default: the lesson's name)")
        parser.add_argument("--workers", type=int, default=2, help="worker nodes of a new cluster")
        parser.add_argument("--load-balancer-pool", default=None, help="CIDR for LoadBalancer IPs of a new cluster")
        parser.add_argument("--owner", default=None, help="a user name: the new cluster is theirs (personal)")
        parser.add_argument("--public-read", action="store_true", help="anyone with the link may watch it")
        parser.add_argument("--list", action="store_true", help="list the lessons and exit")

    def handle(self, *args, **options):
        if options["list"] or not options["name"]:
            for lesson in lessons.all_lessons():
                self.stdout.write(f"{lesson.name:28} {lesson.title}")
            return
        try:
            lesson = lessons.get(options["name"])
        except lessons.UnknownLesson as exc:
            raise CommandError(str(exc)) from None
        slug = options["cluster"] or lesson.name
        cluster = selectors.cluster_by_slug(slug)
        if cluster is None:
            owner_id = None
            if options["owner"]:
                owner_id = selectors.user_id_by_username(options["owner"])
                if owner_id is None:
                    raise CommandError(f"no user is called {options['owner']!r}")
            role = "open" if settings.KUBEVIZ_OPEN_CLUSTERS and owner_id is None else "personal"
            cluster = services.cluster_create(
                name=slug,
                slug=slug,
                lesson=lesson.name,
                workers=options["workers"],
                load_balancer_pool=options["load_balancer_pool"],
                role=role,
                owner_user_id=owner_id,
                public_read=options["public_read"],
            )
            self.stdout.write(f"cluster {slug} created with lesson {lesson.name} (version {cluster.version}, {role})")
            if role == "personal" and owner_id is None:
                self.stdout.write("KUBEVIZ_OPEN_CLUSTERS is off and no --owner was given: only administrators reach it")
            return
        outcome = services.cluster_apply(cluster=cluster, text=lesson.text)
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(str(error))
            raise CommandError(f"lesson {lesson.name} does not apply to cluster {slug}")
        for line in outcome.results:
            self.stdout.write(line)
        self.stdout.write(f"cluster {slug} at version {outcome.version}")
