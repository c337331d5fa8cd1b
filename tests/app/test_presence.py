"""Presence: who watches a cluster, on any worker; a dead worker's sockets stop counting."""

from __future__ import annotations

from simulator import models, presence, selectors


def test_presence_counts_sockets_a_live_worker_vouches_for_and_forgets_a_dead_workers(make_cluster):
    import datetime

    from django.utils import timezone

    cluster = make_cluster()
    assert presence.presence_join(cluster_id=cluster.pk, channel_name="a!1") == 1
    assert presence.presence_join(cluster_id=cluster.pk, channel_name="b!1") == 2
    later = timezone.now() + datetime.timedelta(seconds=120)
    # worker a is alive and vouches for its socket; worker b died without saying goodbye
    assert presence.presence_heartbeat(cluster_id=cluster.pk, channel_names=["a!1"], now=later) == 1
    presence.presence_leave(cluster_id=cluster.pk, channel_name="a!1")
    assert selectors.watcher_count(cluster.pk, later) == 0
    much_later = later + 11 * selectors.PRESENCE_TTL
    presence.presence_heartbeat(cluster_id=cluster.pk, channel_names=[], now=much_later)
    assert not models.Presence.objects.filter(cluster=cluster).exists()
