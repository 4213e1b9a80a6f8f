"""Classes of mistakes the classifier once made on wording it had not seen, written here in new
wording: what it does by itself must be right, and what it is unsure of waits for a person."""

from datetime import date
from unittest import mock

import pytest
from django.conf import settings

from outreach.replies.inbound import classifier, model
from outreach.replies.inbound.quotes import strip_reply

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


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, who is this and why are you emailing me?",
        "Kennen wir uns?",
        "C'est du spam, ça ?",
        "Chi vi ha dato il mio indirizzo?",
        "Vem är ni egentligen?",
        "Haha, nice try.",
        "Wow, seriously? A video to sell me videos 🙄",
        "Perhaps later in the year, it depends.",
        "Misschien. Hangt ervan af.",
    ],
)
def test_who_are_you_is_this_spam_sarcasm_and_maybe_wait_for_a_person(text):
    found = read(text)
    assert found.intent == "unclear"
    assert not acts_by_itself(found)


def test_an_opt_out_is_honoured_even_beside_a_suspicious_question():
    found = read("Who gave you my address? Unsubscribe me.")
    assert found.intent == "unsubscribe"
    assert acts_by_itself(found)


def test_a_clear_answer_with_a_sarcastic_aside_waits_for_a_person():
    found = read("lol, ok. Let's schedule a call on Thursday, send me an invite and the deck.")
    assert found.intent == "interested"
    assert not acts_by_itself(found)


@pytest.mark.parametrize(
    "text",
    ["導入にはどれくらい時間がかかりますか。", "料金プランを教えてください。"],
)
def test_a_japanese_question_without_a_question_mark_is_a_question(text):
    assert read(text).intent == "question"


BARE = "Please take me off your mailing list."
QUOTED = "> Hi, I'm Bob from Acme Sales. Worth a 15 minute chat next week?\n> Let's talk!\n>\n> Bob"
WRAPPED = [
    # Written below the quote.
    "On Tue, 4 Mar 2025 at 10:02, Bob Smith <bob@acme-sales.example> wrote:\n"
    f"{QUOTED}\n\n{BARE}\n\nKate",
    # A forward with Outlook's header block in Danish, Czech and Finnish.
    f"{BARE}\n\nMette\n\n-----Oprindelig meddelelse-----\nFra: Bob Smith <bob@acme-sales.example>"
    "\nSendt: 4. marts 2025 10:02\nTil: Mette <mette@example.com>\nEmne: Quick question\n\n"
    "Worth a 15 minute chat next week? Let's talk!",
    f"{BARE}\n\n---------- Přeposlaná zpráva ---------\nOd: Bob Smith <bob@acme-sales.example>"
    "\nDatum: 4. 3. 2025 10:02\nKomu: Jana <jana@example.com>\nPředmět: Quick question\n\n"
    "Worth a 15 minute chat next week? Let's talk!",
    f"{BARE}\n\nLähettäjä: Bob Smith <bob@acme-sales.example>\nLähetetty: 4.3.2025 10.02\n"
    "Vastaanottaja: Juha <juha@example.com>\nAihe: Quick question\n\n"
    "Worth a 15 minute chat next week? Let's talk!",
    # A device footer and a client's attribution line in Japanese and Polish.
    f"{BARE}\n\niPhoneから送信\n\n2025/03/04 10:02、Bob Smith <bob@acme-sales.example>のメール:\n"
    f"\n{QUOTED}",
    f"{BARE}\n\nWysłane z iPhone'a\n\nWiadomość napisana przez Bob Smith "
    f"<bob@acme-sales.example> w dniu 4 mar 2025, o godz. 10:02:\n\n{QUOTED}",
]


@pytest.mark.parametrize("text", WRAPPED)
def test_quoted_history_forwards_and_footers_in_any_language_leave_the_reply_itself(text):
    assert strip_reply(text) == BARE
    wrapped, bare = read(strip_reply(text)), read(BARE)
    assert (wrapped.intent, wrapped.confidence) == (bare.intent, bare.confidence)


def test_a_how_are_you_in_the_greeting_does_not_make_a_refusal_a_question():
    text = "Olá Marcos, tudo bem?\n\nJá fechamos contrato com outra empresa no mês passado."
    assert read(text).intent == "not_interested"


@pytest.mark.parametrize(
    "text",
    [
        "Not sure yet. Let me mull it over.",
        "Weiß nicht so recht. Mal sehen.",
        "Vediamo... difficile da dire adesso.",
        "Pomysł ciekawy. A może nie. Trudno powiedzieć.",
        "Kanske. Eller kanske inte.",
        "Hmm. Jeg må lige tænke over det.",
        "I'll circle back on this.",
    ],
)
def test_a_hedge_with_no_answer_waits_for_a_person(text):
    assert read(text).intent == "unclear"


def test_a_hedge_beside_a_clear_answer_is_read_but_a_person_confirms_it():
    found = read("Not sure it will stick, but Thursday at 3pm works for a first call.")
    assert found.intent == "interested"
    assert not acts_by_itself(found)


@pytest.mark.parametrize(
    "text",
    [
        "Hi Bob,\n\nHuh?\n\nCheers,\nAnna",
        "Dobrý den,\n\nCože?\n\nS pozdravem\nJan",
        "Thanks for the info.",
        "Ok, dank je.",
        "Mottatt, takk.",
        "Intrigante.",
    ],
)
def test_puzzlement_thanks_or_a_lone_compliment_is_no_answer(text):
    assert read(text).intent == "unclear"


@pytest.mark.parametrize(
    "text",
    ["Nope, we'll pass.", "Nein danke.", "Dispenso.", "Nie, dziękuję.", "Ei kiitos."],
)
def test_a_curt_no_thanks_is_not_interested(text):
    assert read(text).intent == "not_interested"


def test_a_data_protection_question_is_a_question_not_an_erasure_request():
    found = read("Jak wygląda kwestia RODO przy nagraniach? Kto jest administratorem danych?")
    assert found.intent == "question"


def test_a_signature_under_a_sign_off_in_any_language_is_not_the_message():
    text = (
        "Dzień dobry,\n\nDziękuję, nie skorzystamy.\n\nPozdrawiam\n"
        "Anna Nowak | Kierownik Sprzedaży\nFirma Sp. z o.o. · +48 22 555 01 02"
    )
    assert "Kierownik" not in strip_reply(text)
    assert "Firma" not in strip_reply(text.replace("Pozdrawiam", "Ystävällisin terveisin"))


@pytest.mark.parametrize(
    "text",
    [
        "この件は情報システム部の高橋が担当しておりますので、そちらにご連絡ください。",
        "導入の判断は購買部の山本が判断いたします。",
    ],
)
def test_a_japanese_reply_naming_who_handles_it_is_a_referral(text):
    assert read(text).intent == "referral"
