"""The return date is read from out-of-office messages in several languages and formats."""

from datetime import date

import pytest

from outreach.replies.inbound.dates import extract_return_date

MONDAY = date(2025, 3, 3)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        (
            "I am out of the office until Monday, March 10 with limited access to email.",
            date(2025, 3, 10),
        ),
        ("I will be back on March 12th.", date(2025, 3, 12)),
        ("I'm out of office through Friday 3/7.", date(2025, 3, 10)),
        ("Out from 3 to 7 March, replying when I return.", date(2025, 3, 10)),
        ("I will return on 2025-03-18.", date(2025, 3, 18)),
        ("Back tomorrow.", date(2025, 3, 4)),
        ("Travelling until next week.", date(2025, 3, 10)),
        ("I'm away until Thursday.", date(2025, 3, 6)),
        ("Ich bin bis einschließlich 14.03.2025 nicht im Büro.", date(2025, 3, 17)),
        ("Ab dem 17. März bin ich wieder im Büro.", date(2025, 3, 17)),
        ("Je suis absent jusqu'au 12 mars inclus.", date(2025, 3, 13)),
        ("Je serai de retour le 13 mars.", date(2025, 3, 13)),
        ("Estaré fuera de la oficina hasta el 15 de marzo de 2025.", date(2025, 3, 15)),
        ("Sono fuori ufficio fino al 14/03/2025, rientro previsto il 17/03.", date(2025, 3, 17)),
        ("Estou de férias até 20 de março.", date(2025, 3, 20)),
        ("Ik ben afwezig tot en met 14 maart.", date(2025, 3, 17)),
        # No year: the next such day, so early January read in December is next year's.
        ("Back on January 6.", date(2026, 1, 6)),
    ],
)
def test_the_day_they_are_back_is_read(text, back):
    assert extract_return_date(text, received=MONDAY) == back


@pytest.mark.parametrize(
    "text",
    [
        "I am on parental leave and will not be checking email.",
        "We met at 10.30 yesterday.",
        "Out until 2031-01-01.",  # more than a year away
    ],
)
def test_no_date_is_invented(text):
    assert extract_return_date(text, received=MONDAY) is None
