"""Research reads a real homepage the way a person would: what the company does and for whom,
what it is announcing, and its own sentences, without the cookie banner, the navigation or the
footer's legal lines (homepages saved in tests/media_pipeline/data/homepages/)."""

import json
from pathlib import Path

import pytest

from media_pipeline.providers.research import extract_research

HOMEPAGES = Path(__file__).parent / "data" / "homepages"
EXPECTED = json.loads((HOMEPAGES / "expected.json").read_text())
SAVED = sorted(name for name in EXPECTED if (HOMEPAGES / name).exists())


def research_of(name: str) -> dict:
    return extract_research((HOMEPAGES / name).read_text(), f"https://{name[:-5]}/")


@pytest.mark.parametrize("name", SAVED)
def test_no_boilerplate_passes_for_the_companys_own_words(name):
    research = research_of(name)
    shown = " ".join(
        [research["what_they_do"], research["who_they_serve"], *research["headlines"]]
        + research["own_words"]
        + research["key_text"]
    ).casefold()
    for boilerplate in EXPECTED[name]["noise"]:
        assert boilerplate.casefold() not in shown, f"{name}: {boilerplate!r} was taken"


def test_structured_data_says_what_they_do_and_who_they_serve():
    research = research_of("gocardless.com.html")
    assert research["what_they_do"].startswith("GoCardless is a global bank payment company")
    assert research["who_they_serve"].startswith("Over 100,000 businesses")
    assert research["site_name"] == "GoCardless"


def test_the_news_section_gives_the_headlines_and_the_main_text_their_words():
    research = research_of("pleo.io.html")
    assert research["headlines"][:2] == [
        "The state of business spending in 2026",
        "A practical guide to reclaiming VAT on employee expenses",
    ]
    assert any("snap a photo of the receipt" in words for words in research["own_words"])
    assert research["extractors"] == "trafilatura+extruct"


def test_the_extractors_read_more_than_our_own_parser_alone():
    def score(extractors: bool) -> int:
        read = 0
        for name, wants in EXPECTED.items():
            path = HOMEPAGES / name
            if not path.exists():
                continue
            research = extract_research(path.read_text(), "https://x/", extractors=extractors)
            for field in ("what_they_do", "who_they_serve", "headlines", "own_words"):
                value = research[field]
                text = (" ".join(value) if isinstance(value, list) else value).casefold()
                read += sum(phrase.casefold() in text for phrase in wants[field])
        return read

    assert score(extractors=True) > score(extractors=False)
