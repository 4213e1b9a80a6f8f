"""The demo workspace `make run` seeds: five fintech prospects, safe to seed twice."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from automations.models import Automation
from outreach.models import (
    Contact,
    Deal,
    OutreachLog,
    OutreachSequence,
    Prospect,
    Reply,
    Workspace,
)


def test_seeding_twice_keeps_one_workspace_and_the_same_login(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)

    login = next(line for line in first.getvalue().splitlines() if "Demo login" in line)
    assert login in second.getvalue()
    password = login.split("admin / ")[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)

    workspace = Workspace.objects.get(slug="demo")
    names = set(Prospect.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert names == {"Stripe", "Plaid", "Brex", "Ramp", "Mercury"}
    for prospect in Prospect.objects.filter(workspace=workspace):
        assert Contact.objects.filter(prospect=prospect).count() >= 2
        assert Deal.objects.filter(prospect=prospect).exists()
        assert prospect.tags.exists()
        assert OutreachLog.objects.filter(prospect=prospect, status="touch_open").exists()
    assert OutreachSequence.objects.filter(workspace=workspace).count() == 4
    replies = Reply.objects.filter(workspace=workspace)
    assert replies.count() == 3 and all(reply.contact_id for reply in replies)
    rule = Automation.objects.get(workspace=workspace)
    assert rule.enabled and rule.trigger_type == "deal.stage_changed"


def test_seeding_prints_the_same_working_demo_wizard_link_every_time(
    db, settings, tmp_path, prospect_client
):
    settings.VAR_DIR = tmp_path
    outputs = [StringIO(), StringIO()]
    for output in outputs:
        call_command("seed_demo", stdout=output)

    lines = [
        next(line for line in output.getvalue().splitlines() if "Demo wizard" in line)
        for output in outputs
    ]
    assert lines[0] == lines[1]
    assert "Brex" in lines[0]
    path = lines[0].split("http://127.0.0.1:8000")[1].strip()
    page = prospect_client.get(path)
    assert page.status_code == 200
    assert b"Hi Brex team" in page.content


def test_every_printed_link_is_on_the_site_url(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8123"
    output = StringIO()
    call_command("seed_demo", stdout=output)

    links = [word for word in output.getvalue().split() if "://" in word]
    assert len(links) == 3  # the dashboard, the API docs and the demo wizard
    assert all(link.startswith("http://127.0.0.1:8123/") for link in links), links
