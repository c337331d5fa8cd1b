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


def test_a_worker_vouches_for_all_its_sockets_at_once_and_dead_workers_rows_go(make_cluster):
    import datetime

    from django.utils import timezone

    first, second = make_cluster(name="one"), make_cluster(name="two")
    presence.presence_join(cluster_id=first.pk, channel_name="a!1")
    presence.presence_join(cluster_id=second.pk, channel_name="a!2")
    presence.presence_join(cluster_id=second.pk, channel_name="b!1")  # worker b dies
    later = timezone.now() + datetime.timedelta(seconds=120)
    presence.presence_vouch(channel_names=["a!1", "a!2"], now=later)
    assert (selectors.watcher_count(first.pk, later), selectors.watcher_count(second.pk, later)) == (1, 1)
    presence.presence_vouch(channel_names=["a!1", "a!2"], now=later + 11 * selectors.PRESENCE_TTL)
    assert sorted(models.Presence.objects.values_list("channel_name", flat=True)) == ["a!1", "a!2"]
