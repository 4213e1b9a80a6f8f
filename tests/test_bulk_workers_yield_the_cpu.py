"""A worker of the bulk queue alone lowers its CPU priority; the other workers keep theirs."""

import os
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings

from config import celery
from tests.celery_workers import shared_queue_workers


def worker(*queues: str) -> SimpleNamespace:
    consume_from = {name: object() for name in queues} or None
    return SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(
        consume_from=consume_from
    ))))  # fmt: skip


def test_a_bulk_worker_lowers_its_cpu_priority():
    with (
        mock.patch.object(celery.os, "nice") as nice,
        mock.patch.object(celery, "_lower_own_autogroup") as lower_session,
    ):
        celery._bulk_work_yields_the_cpu(sender=worker("bulk"))
    nice.assert_called_once_with(19)
    lower_session.assert_called_once_with(19)


@pytest.mark.parametrize(
    ("session", "written"), [("its own", "19"), ("someone else's", "/autogroup-7 nice 0\n")]
)
def test_a_worker_lowers_the_cpu_share_of_its_session_only_when_it_leads_it(
    tmp_path, session, written
):
    autogroup = tmp_path / "autogroup"
    autogroup.write_text("/autogroup-7 nice 0\n")
    leader = os.getpid() if session == "its own" else os.getpid() + 1
    with (
        mock.patch.object(celery, "AUTOGROUP", autogroup),
        mock.patch.object(celery.os, "getsid", return_value=leader),
    ):
        celery._lower_own_autogroup(19)
    assert autogroup.read_text() == written


@pytest.mark.parametrize(
    "queues", [("interactive",), ("sweeps",), ("bulk", "interactive"), ()], ids=str
)
def test_workers_someone_waits_on_keep_their_priority(queues):
    with mock.patch.object(celery.os, "nice") as nice:
        celery._bulk_work_yields_the_cpu(sender=worker(*queues))
    nice.assert_not_called()


def test_a_niceness_of_zero_keeps_the_bulk_worker_as_it_is():
    with (
        mock.patch.object(celery, "BULK_WORKER_NICENESS", 0),
        mock.patch.object(celery.os, "nice") as nice,
    ):
        celery._bulk_work_yields_the_cpu(sender=worker("bulk"))
    nice.assert_not_called()


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [
        int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()
    ]


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="real workers need Redis (set REDIS_URL)")
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads processes from /proc")
@pytest.mark.timeout(120)
def test_a_running_bulk_worker_and_its_pool_yield_the_cpu_and_an_interactive_one_does_not(
    tmp_path,
):
    own = os.getpriority(os.PRIO_PROCESS, 0)
    with shared_queue_workers(tmp_path) as workers:
        workers.start(1, queues="bulk")
        workers.start(1, queues="interactive")
        bulk, interactive = workers.running
        workers.wait_until(
            lambda: all(_children(worker.pid) for worker in workers.running),
            seconds=90,
            what="both workers' pools",
        )
        niceness, sessions = {}, {}
        for name, w in (("bulk", bulk), ("interactive", interactive)):
            niceness[name] = {
                os.getpriority(os.PRIO_PROCESS, pid) for pid in [w.pid, *_children(w.pid)]
            }
            # Each leads its own session: with autogroups, the session's share is what yields.
            sessions[name] = _autogroup_niceness(w.pid)
    assert niceness == {"bulk": {min(own + 19, 19)}, "interactive": {own}}
    if celery.AUTOGROUP.exists():
        assert sessions == {"bulk": 19, "interactive": 0}


def _autogroup_niceness(pid: int) -> int | None:
    """The session's nice value ("/autogroup-42 nice 19"), None on a kernel without autogroups."""
    autogroup = Path(f"/proc/{pid}/autogroup")
    return int(autogroup.read_text().split()[-1]) if autogroup.exists() else None
