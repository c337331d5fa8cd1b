"""python manage.py kubeconfig CLUSTER [--user NAME] [--server URL]

Prints a kubeconfig for real kubectl against a cluster's Kubernetes API (issue 16). Over http
(the embedded default) the credential travels in the server URL's path, since kubectl sends no
credentials to an http server; over https (`--server https://...`) it is a bearer token. The
API then allows exactly what the dashboard allows that user (`permissions.decide`); without
`--user` the kubeconfig is anonymous's (an open cluster lets anyone read and write).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from simulator import api_selectors, permissions, selectors


class Command(BaseCommand):
    help = "Print a kubeconfig for kubectl against a cluster's Kubernetes API."

    def add_arguments(self, parser):
        parser.add_argument("cluster", help="the cluster's slug")
        parser.add_argument("--user", default=None, help="a kubeviz user name (default: anonymous)")
        parser.add_argument(
            "--server", default="http://127.0.0.1:8000", help="the kubeviz server's URL (default: %(default)s)"
        )

    def handle(self, *args, **options):
        cluster = selectors.cluster_by_slug(options["cluster"])
        if cluster is None:
            raise CommandError(f"no cluster {options['cluster']!r}: `manage.py loadscenario --list` shows lessons")
        server = options["server"].rstrip("/")
        if not server.startswith(("http://", "https://")):
            raise CommandError(f"--server {server!r} must start with http:// or https://")
        principal = "anonymous"
        if options["user"]:
            if selectors.user_id_by_username(options["user"]) is None:
                raise CommandError(f"no user {options['user']!r}")
            principal = f"user:{options['user']}"
        actor, _name = api_selectors.actor_for_principal(principal)
        if not permissions.decide(actor, permissions.Action.API_READ, cluster):
            self.stderr.write(
                f"note: {options['user'] or 'anonymous'} may not read {cluster.slug}; kubectl will get Forbidden"
            )
        self.stdout.write(
            api_selectors.kubeconfig_for(cluster, principal, server, label=options["user"] or "anonymous")
        )
