"""python manage.py prune

Deletes the sandboxes self-learners made without an account that nobody changed or watched for
KUBEVIZ_SANDBOX_IDLE seconds (the server also does it every KUBEVIZ_PRUNE_EVERY seconds)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from simulator import services


class Command(BaseCommand):
    help = "Delete idle anonymous sandboxes (idle for KUBEVIZ_SANDBOX_IDLE seconds)."

    def handle(self, *args, **options):
        pruned = services.clusters_prune()
        for slug in pruned:
            self.stdout.write(f"deleted {slug}")
        idle = settings.KUBEVIZ_SANDBOX_IDLE
        self.stdout.write(f"{len(pruned)} sandbox{'es' if len(pruned) != 1 else ''} idle for over {idle} s deleted")
