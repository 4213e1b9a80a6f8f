"""Classes of mistakes the classifier once made on wording it had not seen, written here in new
wording: what it does by itself must be right, and what it is unsure of waits for a person."""

from datetime import date
from unittest import mock

import pytest
from django.conf import settings

from outreach.replies.inbound import classifier, model

MONDAY = date(2025, 3, 3)


def read(text: str) -> classifier.Classification:
    return classifier.classify(text, received=MONDAY)


def acts_by_itself(found: classifier.Classification) -> bool:
    return found.confidence >= settings.REPLIES_AUTO_APPLY_MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "Ça me parle. Jeudi après-midi, ça vous irait ?",
        "Fint, passer torsdag eftermiddag?",
        "Brzmi ciekawie. Może czwartek po południu?",
        "来週の火曜日の午後はいかがでしょうか。",
    ],
)
def test_a_question_proposing_a_day_is_interest_not_a_question(text):
    assert read(text).intent == "interested"


@pytest.mark.parametrize(
    "text",
    [
        "営業のご案内は今後お断りします。",
        "弊社の連絡先情報を削除してください。",
        "Nie życzę sobie otrzymywać od Państwa ofert.",
    ],
)
def test_opt_outs_without_the_usual_words_are_opt_outs(text):
    assert read(text).intent == "unsubscribe"


@pytest.mark.parametrize(
    "text",
    [
        "Jestem w delegacji do 20 marca i nie czytam poczty.",
        "Jag är på tjänsteresa till 18 mars och läser inte mejl.",
        "Jeg er på forretningsreise til 19. mars og leser ikke e-post.",
    ],
)
def test_an_absence_typed_without_automatic_reply_headers_is_out_of_office(text):
    found = read(text)
    assert found.intent == "out_of_office"
    assert found.return_date is not None


def test_not_suiting_a_company_of_their_size_is_a_no():
    assert read("Für ein Unternehmen unserer Größe ist das nicht geeignet.").intent == (
        "not_interested"
    )


@pytest.mark.parametrize("text", ["Spannend.", "Super."])
def test_a_single_word_never_acts_by_itself_unless_it_is_an_opt_out(text):
    assert not acts_by_itself(read(text))
    assert acts_by_itself(read("Unsubscribe"))


def test_a_phrase_the_whole_reply_contradicts_waits_for_a_person():
    text = "Let's talk about how you got my address, we have never agreed to this."
    assert read(text).intent == "interested"
    learnt = model.train(
        [(text, "not_interested")] * 20 + [("Let's talk next week, Tuesday works.", "interested")]
    )
    with mock.patch.object(classifier, "shipped_model", lambda: learnt):
        found = read(text)
    assert found.intent == "interested"
    assert not acts_by_itself(found)
    assert "model reads it as not_interested" in found.reason
