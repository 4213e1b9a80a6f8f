"""Two automations that trigger each other stop at the cascade limit."""

import itertools

from automations.models import AutomationEvent, AutomationExecution
from outreach.crm.services.tags import tag_assign
from tests.factories import TagFactory


def test_two_automations_that_tag_back_and_forth_stop_at_the_limit(
    settings, workspace, pat, automation, background, caplog
):
    settings.AUTOMATION_CASCADE_LIMIT = 3
    ping = TagFactory(workspace=workspace, name="ping")
    pong = TagFactory(workspace=workspace, name="pong")

    def swap(trigger, drop, add):
        return automation(
            "tag.assigned",
            name=f"{trigger.name} → {add.name}",
            trigger_config={"tag_id": trigger.pk},
            actions=[
                {"type": "remove_tag", "params": {"tag_id": drop.pk, "target": "contact"}},
                {"type": "assign_tag", "params": {"tag_id": add.pk, "target": "contact"}},
            ],
        )

    on_ping = swap(ping, pong, pong)
    on_pong = swap(pong, ping, ping)

    with background():
        tag_assign(target=pat, tag=ping)

    runs = AutomationExecution.objects.order_by("pk")
    # Depths 0..3 run (ping, pong, ping, pong); the fifth event is not run.
    assert [(run.automation_id, run.cascade_depth) for run in runs] == [
        (on_ping.pk, 0),
        (on_pong.pk, 1),
        (on_ping.pk, 2),
        (on_pong.pk, 3),
    ]
    assert {run.status for run in runs} == {AutomationExecution.Status.COMPLETED}
    stopped = AutomationEvent.objects.get(status=AutomationEvent.Status.SKIPPED)
    assert stopped.cascade_depth == 4
    assert stopped.caused_by_execution == runs.last()
    assert stopped.caused_by_action_index == 1
    assert "limit is 3" in stopped.status_reason
    assert "cascade depth 4 is over 3" in caplog.text
    # Lineage: each run's event was caused by the run before it.
    for earlier, later in itertools.pairwise(runs):
        assert later.event.caused_by_execution_id == earlier.pk


def test_the_limit_is_a_setting(settings, workspace, pat, automation, background):
    settings.AUTOMATION_CASCADE_LIMIT = 0
    ping = TagFactory(workspace=workspace, name="ping")
    automation(
        "tag.assigned",
        trigger_config={"tag_id": ping.pk},
        actions=[
            {"type": "remove_tag", "params": {"tag_id": ping.pk, "target": "contact"}},
            {"type": "assign_tag", "params": {"tag_id": ping.pk, "target": "contact"}},
        ],
    )
    with background():
        tag_assign(target=pat, tag=ping)
    assert AutomationExecution.objects.count() == 1
    assert AutomationEvent.objects.filter(status="skipped").count() == 1
