"""Cadence timing with a frozen clock: delays land in business hours in the contact's time
zone, skipping nights, weekends and holidays, and stay right across daylight-saving changes."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import time_machine

from outreach.crm.services.tasks import touch_task_complete
from outreach.models import OutreachLog, OutreachStep
from outreach.sequences.cadence import BusinessHours, after_delay, next_day_opening, step_ready_at
from outreach.sequences.services.enrollment import sequence_enroll
from tests.factories import ContactFactory, ProspectFactory, WorkspaceFactory, sequence_with_steps

NEW_YORK = ZoneInfo("America/New_York")
PARIS = ZoneInfo("Europe/Paris")


def hours(zone: str = "America/New_York", **workspace_fields) -> BusinessHours:
    return BusinessHours.of(WorkspaceFactory.build(time_zone=zone, **workspace_fields))


def local(zone: ZoneInfo, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_a_delay_inside_business_hours_is_kept_as_it_is():
    done = local(NEW_YORK, 2025, 3, 4, 10, 0)  # a Tuesday morning
    ready, reason = step_ready_at(done, delay_days=1, delay_hours=2, hours=hours())
    assert ready == local(NEW_YORK, 2025, 3, 5, 12, 0)
    assert reason == OutreachStep.WaitReason.DELAY


def test_a_step_due_at_night_goes_at_the_next_morning_opening():
    done = local(NEW_YORK, 2025, 3, 4, 15, 0)
    ready, reason = step_ready_at(done, delay_days=0, delay_hours=4, hours=hours())
    assert ready == local(NEW_YORK, 2025, 3, 5, 9, 0)
    assert reason == OutreachStep.WaitReason.BUSINESS_HOURS


def test_a_step_due_on_friday_evening_waits_for_monday():
    done = local(NEW_YORK, 2025, 3, 7, 16, 30)  # Friday
    ready, _ = step_ready_at(done, delay_days=0, delay_hours=1, hours=hours())
    assert ready == local(NEW_YORK, 2025, 3, 10, 9, 0)  # Monday


def test_a_step_due_on_a_weekend_waits_for_monday():
    done = local(NEW_YORK, 2025, 3, 6, 11, 0)  # Thursday
    ready, _ = step_ready_at(done, delay_days=2, delay_hours=0, hours=hours())
    assert ready == local(NEW_YORK, 2025, 3, 10, 9, 0)


def test_workspace_holidays_are_skipped():
    business = hours(holidays=["2025-12-25", "2025-12-26"])
    done = local(NEW_YORK, 2025, 12, 24, 14, 0)
    ready, _ = step_ready_at(done, delay_days=1, delay_hours=0, hours=business)
    assert ready == local(NEW_YORK, 2025, 12, 29, 9, 0)  # Thu and Fri off, then the weekend


def test_custom_business_days_and_hours_are_used():
    business = hours(
        zone="Asia/Dubai", business_days=[6, 0, 1, 2, 3], business_day_start=time(8, 30)
    )
    friday_noon = local(ZoneInfo("Asia/Dubai"), 2025, 3, 7, 12, 0)
    assert business.next_open(friday_noon) == local(ZoneInfo("Asia/Dubai"), 2025, 3, 9, 8, 30)


def test_hours_are_read_in_the_contacts_time_zone_not_the_servers():
    # 16:00 in Paris is 10:00 in New York: open there, closed here.
    moment = local(PARIS, 2025, 3, 4, 16, 0)
    assert hours("America/New_York").next_open(moment) == moment
    assert hours("Asia/Tokyo").next_open(moment) == local(ZoneInfo("Asia/Tokyo"), 2025, 3, 5, 9, 0)


def test_days_of_delay_keep_the_wall_clock_time_across_the_spring_dst_change():
    # New York moves its clocks forward on Sunday 9 March 2025.
    done = local(NEW_YORK, 2025, 3, 7, 10, 0)  # Friday 10:00 EST = 15:00 UTC
    ready = after_delay(done, days=3, hours=0, zone=NEW_YORK)
    assert ready.astimezone(NEW_YORK).hour == 10  # Monday 10:00 EDT
    assert ready == datetime(2025, 3, 10, 14, 0, tzinfo=UTC)  # an hour less in UTC


def test_an_opening_after_the_autumn_dst_change_is_at_the_local_hour():
    # Paris moves its clocks back on Sunday 26 October 2025.
    done = local(PARIS, 2025, 10, 24, 18, 0)  # Friday, after hours (16:00 UTC)
    ready, reason = step_ready_at(done, delay_days=0, delay_hours=0, hours=hours("Europe/Paris"))
    assert ready == datetime(2025, 10, 27, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
    assert reason == OutreachStep.WaitReason.BUSINESS_HOURS


def test_hours_of_delay_are_elapsed_time_even_across_a_dst_night():
    done = local(PARIS, 2025, 3, 29, 23, 0)  # Saturday 23:00 CET
    assert after_delay(done, days=0, hours=12, zone=PARIS) == local(PARIS, 2025, 3, 30, 12, 0)


def test_the_day_after_a_daily_limit_starts_in_the_senders_day_then_the_contacts_hours():
    now = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)  # Tuesday night in London
    opening = next_day_opening(now, hours=hours("America/New_York"), day_zone=ZoneInfo("UTC"))
    assert opening == local(NEW_YORK, 2025, 3, 5, 9, 0)


def test_a_cadence_step_lands_in_business_hours_with_a_frozen_clock(workspace, bob):
    workspace.time_zone = "Europe/Paris"
    workspace.save()
    prospect = ProspectFactory(workspace=workspace, owner=bob)
    contact = ContactFactory(prospect=prospect, time_zone="America/Los_Angeles")
    template = sequence_with_steps(
        workspace,
        {"channel": "call", "subject_template": "Call {{contact.first_name}}"},
        {"channel": "call", "delay_days": 1, "delay_hours": 0},
    )
    # Friday 7 March 2025, 10:00 in Los Angeles.
    with time_machine.travel(datetime(2025, 3, 7, 18, 0, tzinfo=UTC), tick=False):
        (sequence,) = sequence_enroll(template=template, contacts=[contact], by=bob).enrolled
        task = OutreachLog.objects.get(contact=contact, status=OutreachLog.Status.TOUCH_OPEN)
        touch_task_complete(task=task, by=bob)
    first = sequence.steps.get(step_order=1)
    second = sequence.steps.get(step_order=2)
    # A day later is Saturday: Monday 09:00 in Los Angeles (after the DST change), 16:00 UTC.
    assert first.next_step_ready_at == datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert second.wait_reason == OutreachStep.WaitReason.BUSINESS_HOURS
