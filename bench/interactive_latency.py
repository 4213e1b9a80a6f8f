"""Interactive work does not wait behind bulk work: engagement call tasks and reply triage while
a 200-prospect campaign renders on the same machine.

The processes run with production's command lines (README, docker-compose.yml): one Celery
worker per queue (config/queues.py: interactive with 8 processes, sweeps with 2, bulk with one
per core, at the bulk queue's lower CPU priority) and gunicorn with config/gunicorn.py (4 sync
workers), on PostgreSQL and Redis. Two rounds, each of VISITS prospects stepping to wizard
step 3 (8 at a time) and VISITS replies posted to the inbound API (4 at a time): first on an
idle worker set, then while a 200-prospect campaign is rendering. For each step-3 visit, the
time from sending the request to the call task existing; for each reply, from posting it to its
triage.

Targets while the campaign renders: call task p95 < 500 ms, reply triage p95 < 2 s.
Needs DATABASE_URL (a PostgreSQL server: the bench creates and drops BENCH_DB_NAME,
crm_bench_interactive by default) and REDIS_URL (its worker takes every task queued there).
Run: .venv/bin/python bench/interactive_latency.py
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import harness

VISITS = int(os.environ.get("BENCH_VISITS", "200"))
CAMPAIGN_PROSPECTS = 200
DATABASE = os.environ.get("BENCH_DB_NAME", "crm_bench_interactive")
CALL_TASK_P95_MS = 500
TRIAGE_P95_MS = 2000
WAIT_TIMEOUT = 120
# The production command lines (README, docker-compose.yml): the bulk queue one slot per core.
WORKERS = (("interactive", 8), ("sweeps", 2), ("bulk", os.cpu_count() or 2))
WEB_WORKERS = "4"  # config/gunicorn.py's default


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print("skipped: set DATABASE_URL to a PostgreSQL server and REDIS_URL to a Redis database")
        return 0
    var_dir = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    env = harness.server_env(server_url, redis_url, DATABASE, var_dir)
    os.environ.update(env)
    sys.path.insert(0, str(harness.PROJECT))
    harness.recreate_database(server_url, DATABASE, drop_only=False)
    processes: list[subprocess.Popen] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from config.celery import app as celery_app

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        celery_app.control.purge()
        world = _world()
        base_url = _start(var_dir, env, processes)

        idle = _round(base_url, world, first=0)
        campaign = _launch_campaign(world)
        busy = _round(base_url, world, first=VISITS)
        rendered = campaign.campaign_prospects.exclude(status__in=["pending", "queued"]).count()
        _report(idle, busy, rendered)
        ok = (
            harness.percentile(busy["call"], 95) < CALL_TASK_P95_MS
            and harness.percentile(busy["triage"], 95) < TRIAGE_P95_MS
        )
        return 0 if ok else 1
    except BaseException:
        # The folder goes with the clean-up: what the server said is printed before it does.
        _print_log_tail(var_dir / "web.log")
        raise
    finally:
        harness.clean_up(processes, server_url, DATABASE, var_dir)


def _print_log_tail(log: Path, lines: int = 40) -> None:
    if log.exists():
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- the last {len(tail)} lines of {log.name} ---", *tail, sep="\n", file=sys.stderr)


def _world() -> dict:
    """A workspace with 2 x VISITS prospects (a contact and a wizard link each), the campaign's
    200 prospects with their research read from the demo snapshots, and an API key."""
    from django.contrib.auth import get_user_model

    from campaigns.services import ExistingTarget, campaign_create
    from demo.campaign import SNAPSHOTS
    from media_pipeline.providers.research import extract_research
    from media_pipeline.services import research_record
    from outreach.crm.services.prospects import contact_create, prospect_create
    from outreach.wizard.services import wizard_link_create
    from outreach.workspaces.services.workspaces import api_key_create, workspace_create

    owner = get_user_model().objects.create_user("bench-rep", "rep@bench.example")
    workspace = workspace_create(name="Bench Sales", slug="bench", owner=owner)
    visitors = []
    for n in range(2 * VISITS):
        prospect = prospect_create(
            workspace=workspace, name=f"Prospect {n}", domain=f"prospect{n}.example", owner=owner
        )
        contact = contact_create(
            workspace=workspace,
            prospect=prospect,
            first_name="Pat",
            last_name=str(n),
            email=f"pat{n}@prospect{n}.example",
        )
        visitors.append(
            (prospect.pk, contact.email, wizard_link_create(prospect=prospect, by=owner).token)
        )
    snapshots = sorted(SNAPSHOTS.glob("*.html"))
    targets = [
        prospect_create(
            workspace=workspace, name=f"Viewer {n}", domain=f"viewer{n}.example", owner=owner
        )
        for n in range(CAMPAIGN_PROSPECTS)
    ]
    campaign = campaign_create(
        workspace=workspace,
        name="Bulk intros",
        sender_name="Alex",
        targets=[ExistingTarget(prospect=prospect) for prospect in targets],
        by=owner,
    )
    for n, entry in enumerate(campaign.campaign_prospects.all()):
        html = snapshots[n % len(snapshots)].read_text(encoding="utf-8")
        research = extract_research(html, f"https://{entry.prospect.domain}/")
        research_record(campaign_prospect=entry, research=research, provider="snapshot")
    _, key = api_key_create(workspace=workspace, name="bench", by=owner)
    return {"visitors": visitors, "campaign": campaign, "key": key}


def _start(var_dir: Path, env: dict, processes: list[subprocess.Popen]) -> str:
    celery, gunicorn = harness.BIN / "celery", harness.BIN / "gunicorn"
    for queue, concurrency in WORKERS:
        log = var_dir / f"worker-{queue}.log"
        processes.append(
            harness.start(
                [
                    celery, "-A", "config", "worker", f"--queues={queue}",
                    f"--concurrency={concurrency}", "--loglevel=INFO", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", f"--hostname={queue}@%h",
                ],
                log,
                env,
            )
        )  # fmt: skip
        harness.wait_for(log, re.compile(r"ready\."), f"the {queue} worker")
    web_log = var_dir / "web.log"
    processes.append(
        harness.start(
            [gunicorn, "-c", "python:config.gunicorn", "config.wsgi:application"],
            web_log,
            {**env, "GUNICORN_BIND": "127.0.0.1:0", "GUNICORN_WORKERS": WEB_WORKERS},
        )
    )  # fmt: skip
    port = harness.wait_for(
        web_log, re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)"), "gunicorn"
    )
    return f"http://127.0.0.1:{port}"


def _launch_campaign(world: dict):
    from campaigns.services import campaign_launch

    campaign = world["campaign"]
    campaign_launch(campaign=campaign)
    # Let the bulk workers get going: the next round runs while videos render.
    deadline = time.time() + 60
    while time.time() < deadline:
        if campaign.campaign_prospects.filter(status="running").exists():
            break
        time.sleep(0.5)
    return campaign


def _round(base_url: str, world: dict, *, first: int) -> dict:
    import httpx

    from outreach.models import OutreachLog, Reply

    visitors = world["visitors"][first : first + VISITS]
    visited_at: dict[int, float] = {}
    answered_in: dict[int, float] = {}
    posted_at: dict[str, float] = {}

    retries: Counter[str] = Counter()
    retries_lock = threading.Lock()

    def send(what: str, request: Callable[[], httpx.Response]) -> None:
        """Send a request that is safe to repeat, once more after a connection-level error.

        A connection can end without an answer (a kept-alive one closed by the server as the
        next request goes out, or a worker gone mid-request), and a browser repeats a GET then.
        The second attempt opens a new connection. Each retry is counted by kind of request and
        error, and printed beside the figures, so a server that drops connections still shows.
        A timeout or an error answer is not retried.
        """
        try:
            answer = request()
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            with retries_lock:
                retries[f"{what} ({type(error).__name__})"] += 1
            answer = request()
        answer.raise_for_status()

    def visit(visitor: tuple[int, str, str]) -> None:
        prospect_id, _, token = visitor
        # One connection for the visit's three pages, kept alive as a browser keeps it.
        with harness.http_client(base_url=base_url, timeout=60) as client:
            for path in (f"/w/{token}/", f"/w/{token}/2/"):
                send("wizard page", partial(client.get, path))
            visited_at[prospect_id] = time.time()
            # Viewing step 3 again opens no second call task: the database keeps one open.
            send("wizard page", partial(client.get, f"/w/{token}/3/"))
            answered_in[prospect_id] = (time.time() - visited_at[prospect_id]) * 1000

    def reply(visitor: tuple[int, str, str]) -> None:
        prospect_id, email, _ = visitor
        message_id = f"<bench-{prospect_id}@mail.example>"
        posted_at[message_id] = time.time()
        # Safe to post twice: the inbound API stores a Message-ID once and answers the
        # repeat with the stored reply.
        send(
            "reply",
            partial(
                poster.post,
                "/api/v1/replies/inbound",
                headers={"Authorization": f"Bearer {world['key']}"},
                json={
                    "message_id": message_id,
                    "from": {"email": email, "name": "Pat"},
                    "subject": "Re: a short video for you",
                    "text": "Thanks, this looks interesting. Could we talk next week?",
                },
            ),
        )

    # The integration posting replies is one client, a connection per post (sync gunicorn
    # workers close each connection after its answer).
    poster = harness.http_client(
        base_url=base_url, timeout=60, limits=httpx.Limits(max_keepalive_connections=0)
    )
    with poster, ThreadPoolExecutor(8) as visits, ThreadPoolExecutor(4) as replies:
        done = [visits.submit(visit, v) for v in visitors]
        done += [replies.submit(reply, v) for v in visitors]
        for future in done:
            future.result()

    deadline = time.time() + WAIT_TIMEOUT
    tasks: dict[int, float] = {}
    triaged: dict[str, float] = {}
    while (len(tasks) < len(visited_at) or len(triaged) < len(posted_at)) and (
        time.time() < deadline
    ):
        rows = OutreachLog.objects.filter(
            prospect_id__in=visited_at, metadata__triggerSource="wizard_step3"
        ).values_list("prospect_id", "created_at")
        tasks = {prospect_id: at.timestamp() for prospect_id, at in rows}
        found = Reply.objects.filter(
            message_id__in=posted_at, triaged_at__isnull=False
        ).values_list("message_id", "triaged_at")
        triaged = {message_id: at.timestamp() for message_id, at in found}
        time.sleep(0.2)
    if len(tasks) < len(visited_at) or len(triaged) < len(posted_at):
        raise SystemExit(
            f"within {WAIT_TIMEOUT} s only {len(tasks)} call tasks of {len(visited_at)} and "
            f"{len(triaged)} triages of {len(posted_at)} appeared"
        )
    return {
        "call": [(tasks[pk] - visited_at[pk]) * 1000 for pk in visited_at],
        "step3": list(answered_in.values()),
        "triage": [(triaged[m] - posted_at[m]) * 1000 for m in posted_at],
        "retries": retries,
    }


def _report(idle: dict, busy: dict, rendered: int) -> None:
    def figures(values: list[float]) -> str:
        return (
            f"p50 {harness.percentile(values, 50):6.0f} ms  "
            f"p95 {harness.percentile(values, 95):6.0f} ms  max {max(values):6.0f} ms"
        )

    print(f"{VISITS} wizard step-3 visits (8 at a time) and {VISITS} replies (4 at a time) a round")
    slots = ", ".join(f"{queue} x{concurrency}" for queue, concurrency in WORKERS)
    print(f"workers: {slots} processes; web: gunicorn -c config.gunicorn, {WEB_WORKERS} workers")
    print(f"{'':32} {'no campaign':^40} {'200-prospect campaign rendering':^40}")
    print(f"{'step-3 request to call task':32} {figures(idle['call'])}   {figures(busy['call'])}")
    print(
        f"{'step-3 request to its answer':32} {figures(idle['step3'])}   {figures(busy['step3'])}"
    )
    print(
        f"{'reply posted to its triage':32} {figures(idle['triage'])}   {figures(busy['triage'])}"
    )
    call, triage = harness.percentile(busy["call"], 95), harness.percentile(busy["triage"], 95)
    print(
        f"while rendering: call task p95 {call:.0f} ms (target < {CALL_TASK_P95_MS} ms: "
        f"{'met' if call < CALL_TASK_P95_MS else 'MISSED'}), triage p95 {triage:.0f} ms "
        f"(target < {TRIAGE_P95_MS} ms: {'met' if triage < TRIAGE_P95_MS else 'MISSED'})"
    )
    print(f"campaign prospects the bulk workers had started or finished: {rendered}")
    for name, figures_of in (("no campaign", idle), ("campaign rendering", busy)):
        retried = ", ".join(f"{n} {what}" for what, n in sorted(figures_of["retries"].items()))
        print(f"requests sent again after a connection error, {name}: {retried or 'none'}")
    print(harness.machine())


if __name__ == "__main__":
    sys.exit(main())
