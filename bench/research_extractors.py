"""How much of a website each research extractor reads: our own HTML parser alone, against
trafilatura (main text) with extruct (JSON-LD, microdata, OpenGraph) and our parser for the
rest.

Pages: the demo's website snapshots (demo/sites/) and homepages saved the way real ones are
built (tests/media_pipeline/data/homepages/: navigation, cookie banners, news, footers,
structured data). For each page, tests/media_pipeline/data/homepages/expected.json lists what a
reader should come away with (what they do, who they serve, headlines, their own words) and
the boilerplate that must not pass for their words. A phrase is read when the field that
should hold it does (case-insensitive). Prints, per page and extractor, the phrases read out
of those expected and the boilerplate taken, then the totals and the time per page.

Run from the project directory: `.venv/bin/python bench/research_extractors.py`.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOMEPAGES = ROOT / "tests" / "media_pipeline" / "data" / "homepages"
SNAPSHOTS = ROOT / "demo" / "sites"
FIELDS = ("what_they_do", "who_they_serve", "headlines", "own_words")
# Where boilerplate would do harm: shown to the prospect as what we learned about them.
SHOWN = ("what_they_do", "who_they_serve", "headlines", "own_words", "key_text")
REPEATS = 5


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from media_pipeline.providers.research import extract_research

    expected = json.loads((HOMEPAGES / "expected.json").read_text())
    totals = {name: [0, 0, 0, 0.0] for name in ("parser", "extractors")}
    print(f"{'page':<22} {'extractor':<11} {'read':>9} {'boilerplate':>12}  missed")
    for page_name, wants in sorted(expected.items()):
        path = HOMEPAGES / page_name
        if not path.exists():
            path = SNAPSHOTS / page_name
        html = path.read_text(encoding="utf-8")
        for name, use in (("parser", False), ("extractors", True)):
            started = time.perf_counter()
            for _ in range(REPEATS):
                research = extract_research(html, f"https://{page_name[:-5]}/", extractors=use)
            seconds = (time.perf_counter() - started) / REPEATS
            read, missed = [], []
            for field in FIELDS:
                value = research[field]
                text = " ".join(value) if isinstance(value, list) else value
                for phrase in wants[field]:
                    (read if phrase.casefold() in text.casefold() else missed).append(phrase)
            shown = " ".join(
                " ".join(research[f]) if isinstance(research[f], list) else research[f]
                for f in SHOWN
            ).casefold()
            noise = [phrase for phrase in wants["noise"] if phrase.casefold() in shown]
            wanted = len(read) + len(missed)
            totals[name][0] += len(read)
            totals[name][1] += wanted
            totals[name][2] += len(noise)
            totals[name][3] += seconds
            print(
                f"{page_name:<22} {name:<11} {len(read):>4} / {wanted:<3} "
                f"{len(noise):>6} / {len(wants['noise']):<4}  {'; '.join(missed)[:70]}"
            )
    pages = len(expected)
    print()
    for name, (read, wanted, noise, seconds) in totals.items():
        print(
            f"{name:<11} read {read}/{wanted} ({100 * read / wanted:.0f}%), "
            f"boilerplate shown: {noise}, {1000 * seconds / pages:.1f} ms a page"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
