"""Reading when someone is back from their out-of-office reply."""

from datetime import date

import pytest

from outreach.sequences.cadence import looks_like_out_of_office, out_of_office_return

RECEIVED = date(2025, 3, 3)  # a Monday


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I will be back on Monday, March 17.", date(2025, 3, 17)),
        ("Out of office until 2025-03-10.", date(2025, 3, 10)),
        ("I'm away and return on the 12th of March.", date(2025, 3, 12)),
        ("Away from 3 March through 7 March.", date(2025, 3, 8)),
        ("On leave, back 14.03.2025", date(2025, 3, 14)),
        ("Returning 3/18 - for urgent matters call Sam.", date(2025, 3, 18)),
        ("I'm out until Thursday.", date(2025, 3, 6)),
        ("Back tomorrow!", date(2025, 3, 4)),
        ("Away 5 March to 9 March", date(2025, 3, 9)),
    ],
)
def test_the_return_date_is_read_from_the_reply(text, back):
    assert out_of_office_return(text, received=RECEIVED) == back


def test_a_date_without_a_year_is_the_next_one_to_come():
    assert out_of_office_return("On vacation, back Jan 6.", received=date(2025, 12, 20)) == date(
        2026, 1, 6
    )


@pytest.mark.parametrize(
    "text",
    [
        "I am away at the moment.",
        "Back in 1999-01-01",
        "Call me at 12/45 or so",
        "Until 2031-01-01",
    ],
)
def test_no_return_date_when_none_is_given_or_it_is_implausible(text):
    assert out_of_office_return(text, received=RECEIVED) is None


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Automatic reply: Intro", "", True),
        ("Re: Intro", "I am currently out of the office.", True),
        ("Re: Intro", "I'm on parental leave until May.", True),
        ("Re: Intro", "Thanks, let's talk next week.", False),
    ],
)
def test_auto_replies_are_told_apart_from_real_ones(subject, body, expected):
    assert looks_like_out_of_office(subject, body) is expected
