"""Free slots come from the rep's working hours on their own clock, minus their meetings, and
read right in the prospect's zone, across daylight-saving changes on either side."""

from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.meetings.selectors import local_time_label, slots_by_day
from outreach.meetings.slots import SlotRules, check_weekly_hours, free_slots

NINE_TO_FIVE = {str(day): [["09:00", "17:00"]] for day in range(5)}
HOUR = SlotRules(
    duration=timedelta(hours=1), buffer=timedelta(0), days_ahead=7, min_notice=timedelta(0)
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def first_slot_each_day(slots: list[datetime], zone: str) -> dict[date, datetime]:
    return {day.day: day.slots[0][0] for day in slots_by_day(slots, zone=zone)}


def test_a_los_angeles_reps_nine_oclock_moves_in_utc_when_their_clocks_spring_forward():
    # Friday March 6, 2026, 8:00 in Los Angeles (PST); clocks go forward on Sunday March 8.
    now = utc(2026, 3, 6, 16, 0)
    slots = free_slots(hours=NINE_TO_FIVE, zone="America/Los_Angeles", rules=HOUR, busy=[], now=now)
    firsts = first_slot_each_day(slots, "America/Los_Angeles")

    assert firsts[date(2026, 3, 6)] == utc(2026, 3, 6, 17, 0)  # 9:00 PST
    assert firsts[date(2026, 3, 9)] == utc(2026, 3, 9, 16, 0)  # 9:00 PDT, an hour earlier in UTC
    assert date(2026, 3, 7) not in firsts and date(2026, 3, 8) not in firsts  # the weekend
    assert len(slots_by_day(slots, zone="America/Los_Angeles")[0].slots) == 8  # 9:00 to 16:00


def test_a_prospect_in_sydney_sees_a_los_angeles_morning_on_their_next_day():
    now = utc(2026, 3, 6, 16, 0)
    slots = free_slots(hours=NINE_TO_FIVE, zone="America/Los_Angeles", rules=HOUR, busy=[], now=now)
    days = slots_by_day(slots, zone="Australia/Sydney")

    assert days[0].day == date(2026, 3, 7)  # Friday 9:00 in LA is Saturday 4:00 in Sydney
    assert days[0].slots[0][1] == "4:00 am"
    monday = next(d for d in days if d.slots[0][0] == utc(2026, 3, 9, 16, 0))
    assert monday.day == date(2026, 3, 10)
    assert monday.slots[0][1] == "3:00 am"  # LA moved its clocks, Sydney did not


def test_a_sydney_rep_across_their_autumn_change_seen_from_los_angeles():
    # Friday April 3, 2026 in Sydney (AEDT, +11); clocks go back on Sunday April 5 (AEST, +10).
    now = utc(2026, 4, 2, 12, 0)  # 23:00 Thursday in Sydney
    slots = free_slots(hours=NINE_TO_FIVE, zone="Australia/Sydney", rules=HOUR, busy=[], now=now)
    firsts = first_slot_each_day(slots, "Australia/Sydney")

    assert firsts[date(2026, 4, 3)] == utc(2026, 4, 2, 22, 0)
    assert firsts[date(2026, 4, 6)] == utc(2026, 4, 5, 23, 0)
    in_la = {day.day: day.slots[0][1] for day in slots_by_day(slots, zone="America/Los_Angeles")}
    assert in_la[date(2026, 4, 2)] == "3:00 pm"  # Thursday afternoon in Los Angeles
    assert in_la[date(2026, 4, 5)] == "4:00 pm"  # an hour later once Sydney fell back


def test_minimum_notice_and_the_booking_window_bound_the_slots():
    now = utc(2026, 3, 9, 17, 30)  # Monday 10:30 in Los Angeles
    rules = SlotRules(
        duration=timedelta(minutes=30),
        buffer=timedelta(0),
        days_ahead=1,
        min_notice=timedelta(hours=4),
    )
    slots = free_slots(
        hours=NINE_TO_FIVE, zone="America/Los_Angeles", rules=rules, busy=[], now=now
    )

    assert slots[0] == utc(2026, 3, 9, 21, 30)  # 14:30 PDT: four hours from now
    assert slots[-1] == utc(2026, 3, 10, 23, 30)  # Tuesday 16:30 PDT, the last day offered


def test_meetings_and_the_buffer_around_them_are_taken_out():
    now = utc(2026, 3, 9, 12, 0)
    rules = SlotRules(
        duration=timedelta(minutes=30),
        buffer=timedelta(minutes=10),
        days_ahead=0,
        min_notice=timedelta(0),
    )
    meeting = (utc(2026, 3, 9, 17, 0), utc(2026, 3, 9, 17, 30))  # 10:00-10:30 PDT
    slots = free_slots(
        hours=NINE_TO_FIVE, zone="America/Los_Angeles", rules=rules, busy=[meeting], now=now
    )
    labels = [label for _, label in slots_by_day(slots, zone="America/Los_Angeles")[0].slots]

    assert labels[:3] == ["9:00 am", "11:00 am", "11:30 am"]  # 9:30 and 10:30 touch the buffer
    assert "10:00 am" not in labels


def test_hours_that_do_not_exist_on_the_spring_forward_day_start_after_the_gap():
    hours = {"6": [["02:30", "04:00"]]}  # Sunday March 8, 2026: 2:00 jumps to 3:00 in LA
    rules = SlotRules(
        duration=timedelta(minutes=30),
        buffer=timedelta(0),
        days_ahead=2,
        min_notice=timedelta(0),
    )
    slots = free_slots(
        hours=hours, zone="America/Los_Angeles", rules=rules, busy=[], now=utc(2026, 3, 7, 0, 0)
    )
    labels = [label for _, label in slots_by_day(slots, zone="America/Los_Angeles")[0].slots]
    assert labels == ["3:30 am"]


def test_the_label_reads_like_a_clock():
    assert local_time_label(utc(2026, 1, 1, 0, 5)) == "12:05 am"
    assert local_time_label(utc(2026, 1, 1, 12, 0)) == "12:00 pm"
    assert local_time_label(utc(2026, 1, 1, 17, 45)) == "5:45 pm"


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ({"7": [["09:00", "17:00"]]}, "weekday"),
        ({"0": [["17:00", "09:00"]]}, "end after it starts"),
        ({"0": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ({"0": [["9am", "5pm"]]}, "time of day"),
        (["09:00"], "map a weekday"),
    ],
)
def test_working_hours_that_make_no_sense_are_refused_with_the_reason(hours, problem):
    with pytest.raises(ValueError, match=problem):
        check_weekly_hours(hours)


def test_a_day_can_run_to_midnight_and_be_split_around_lunch():
    hours = check_weekly_hours({"0": [["13:00", "24:00"], ["08:00", "12:00"]]})
    assert hours == {"0": [["08:00", "12:00"], ["13:00", "24:00"]]}
