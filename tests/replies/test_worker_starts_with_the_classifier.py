"""A worker trains the offline reply classifier once, as it starts, not on its first reply."""

import weakref

from celery.signals import worker_init

from outreach.replies.inbound.model import shipped_model
from outreach.replies.tasks import warm_the_offline_classifier


def test_a_starting_worker_has_the_classifier_ready_before_its_first_reply():
    connected = [
        receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
        for _, receiver in worker_init.receivers
    ]
    assert warm_the_offline_classifier in connected  # every worker runs it as it starts
    shipped_model.cache_clear()
    warm_the_offline_classifier(sender=None)
    assert shipped_model.cache_info().currsize == 1
    hits = shipped_model.cache_info().hits
    shipped_model()
    assert shipped_model.cache_info().hits == hits + 1  # the first reply reuses it, untrained
