"""python manage.py loadscenario NAME --cluster SLUG

Loads a lesson bundle into a cluster: creates the cluster when it does not exist, otherwise
applies the bundle to it (idempotent: a second run changes nothing), through the services, so
everyone watching sees it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from simulator import lessons, selectors, services


class Command(BaseCommand):
    help = "Load a lesson bundle (lessons/NAME.yaml) into a cluster, creating the cluster if needed."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="lesson name (a file of lessons/ without .yaml)")
        parser.add_argument("--cluster", help="the cluster's slug (default: the lesson's name)")
        parser.add_argument("--workers", type=int, default=2, help="worker nodes of a new cluster")
        parser.add_argument("--load-balancer-pool", default=None, help="CIDR for LoadBalancer IPs of a new cluster")
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
            cluster = services.cluster_create(
                name=slug,
                slug=slug,
                lesson=lesson.name,
                workers=options["workers"],
                load_balancer_pool=options["load_balancer_pool"],
            )
            self.stdout.write(f"cluster {slug} created with lesson {lesson.name} (version {cluster.version})")
            return
        outcome = services.cluster_apply(cluster=cluster, text=lesson.text)
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(str(error))
            raise CommandError(f"lesson {lesson.name} does not apply to cluster {slug}")
        for line in outcome.results:
            self.stdout.write(line)
        self.stdout.write(f"cluster {slug} at version {outcome.version}")
