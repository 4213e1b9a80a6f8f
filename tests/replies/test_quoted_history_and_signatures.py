"""What a person wrote is read without the quoted history, signature or footers below it."""

import pytest

from outreach.replies.inbound.html import html_to_text
from outreach.replies.inbound.quotes import strip_reply


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Sounds good.\n\nOn Mon, Mar 3, 2025 at 9:02 AM Bob Rep <\nbob@acme.example> wrote:\n"
            "> Worth a call?",
            "Sounds good.",
        ),
        (
            "Gerne.\n\nAm 03.03.2025 um 09:02 schrieb Bob Rep <bob@acme.example>:\n> Hallo",
            "Gerne.",
        ),
        (
            "Volontiers.\n\nLe lun. 3 mars 2025 à 09:02, Bob <b@a.example> a écrit :\n> Salut",
            "Volontiers.",
        ),
        ("Sí.\n\nEl lun, 3 mar 2025 a las 9:02, Bob (<b@a.example>) escribió:\n> Hola", "Sí."),
        ("Ja.\n\nOp ma 3 mrt. 2025 om 09:02 schreef Bob <b@a.example>:\n> Hoi", "Ja."),
        (
            "Call me.\n\n________________________________\nFrom: Bob Rep\nSent: Monday\n"
            "To: Jane\nSubject: Hi\n\nWorth a call?",
            "Call me.",
        ),
        (
            "Ok.\n\nVon: Bob Rep <b@a.example>\nGesendet: Montag, 3. März 2025\nAn: Jane\n"
            "Betreff: Frage\n\nHallo",
            "Ok.",
        ),
        ("Yes.\n\n-----Original Message-----\nFrom: Bob", "Yes."),
        ("Not interested.\n\nSent from my iPhone\n\n> On Mar 3 Bob wrote:", "Not interested."),
        ("Let's talk.\n\nBest,\nJane Cooper\nVP Finance | Acme\n+1 555 0100", "Let's talk."),
        ("Let's talk.\n--\nJane Cooper\nAcme Corp", "Let's talk."),
        (
            "Timing is good.\n\nThis email and any attachments are confidential and intended "
            "solely for the addressee.",
            "Timing is good.",
        ),
        # Answers written between the quoted lines are kept.
        (
            "> Are you free Tuesday?\nYes, 2pm works.\n> And pricing?\nSend it over.",
            "Yes, 2pm works.\nSend it over.",
        ),
        # "Thanks," opening a message is not a sign-off.
        ("Thanks, but we're all set.\n\nGreg", "Thanks, but we're all set."),
        # A message that is only a sign-off keeps it rather than becoming empty.
        ("Thanks!\nJane", "Thanks!\nJane"),
    ],
)
def test_only_the_new_text_is_kept(text, kept):
    assert strip_reply(text) == kept


def test_html_bodies_keep_blockquotes_recognisable_as_quotes():
    html = (
        "<div>Sure, <b>Tuesday</b> works.<br>Jane</div><div class=gmail_quote>"
        "<div>On Mon, Mar 3, 2025 Bob &lt;b@a.example&gt; wrote:</div>"
        "<blockquote>Worth a call?</blockquote></div><style>p{color:red}</style>"
    )
    text = html_to_text(html)
    assert text.splitlines() == [
        "Sure, Tuesday works.",
        "Jane",
        "On Mon, Mar 3, 2025 Bob <b@a.example> wrote:",
        "> Worth a call?",
    ]
    assert strip_reply(text) == "Sure, Tuesday works.\nJane"
