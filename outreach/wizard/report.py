"""The PDF report a prospect downloads from their wizard: one branded page made for them."""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils import timezone
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from outreach.models import WizardLink
from outreach.wizard.content import prospect_facts, prospect_topics, sender

# Unicode fonts from Debian's fonts-dejavu-core and fonts-droid-fallback (CJK); .ci/run and the
# Dockerfile install both. Without them the report falls back to the PDF core fonts (Latin-1).
FONT_REGULAR = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)
FONT_BOLD = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)
FONT_FALLBACK = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
)
# Characters the core fonts lack that have a plain stand-in.
CORE_FONT_STAND_INS = str.maketrans(
    {
        "\u2014": "-",  # em dash
        "\u2013": "-",  # en dash
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "-",  # bullet
        # Letters that Unicode does not decompose into a base letter and a mark.
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Œ": "OE",
        "œ": "oe",
        "\u0131": "i",  # dotless i
    }
)

INK = (15, 23, 42)
INK_SOFT = (71, 85, 105)
MUTED = (100, 116, 139)
LINE = (226, 232, 240)
BRAND = (79, 70, 229)
BRAND_SOFT = (238, 242, 255)
WHITE = (255, 255, 255)
PAGE_MARGIN = 18
HEADER_HEIGHT = 48


@dataclass(frozen=True)
class FontSet:
    regular: str | None
    bold: str | None
    fallback: str | None
    covered: frozenset[int]
    fallback_covered: frozenset[int]


def render_prospect_report(*, link: WizardLink) -> bytes:
    """The report as PDF bytes, made fresh from the prospect's current record."""
    prospect = link.prospect
    who = sender(link=link)
    facts = prospect_facts(prospect=prospect)
    topics = prospect_topics(prospect=prospect)
    personal = [prospect.name, who.team, who.rep_name, *topics]
    personal += [fact.value for fact in facts]
    report = _Report(fonts=_fonts(), texts=personal)
    name = report.clean(prospect.name) or report.clean(prospect.domain) or "your team"
    team = report.clean(who.team) or "our team"

    report.header_band(team=team, title=f"A report for {name}")
    report.section(f"What we learned about {name}")
    if facts:
        for fact in facts:
            report.fact_row(fact.label, fact.value)
    else:
        report.paragraph("We are still getting to know you: tell us about your team on the call.")
    if topics:
        report.section("What you focus on")
        report.chips(topics)
    report.section("Why we reached out")
    report.paragraph(
        f"We looked at what {name} does and put this report together for your team. {team} "
        "helps teams like yours follow up every interested buyer while the interest is fresh, "
        "with less busywork for the people doing the selling."
    )
    report.paragraph(
        "Your personal page walks through the same points, with a short video made for you."
    )
    report.call_to_action(
        rep=report.clean(who.rep_name), email=who.rep_email, page_url=link.url, team=team
    )
    report.footer_line(f"Prepared for {name} by {team}. Personal and confidential.")
    return bytes(report.pdf.output())


@lru_cache(maxsize=1)
def _fonts() -> FontSet:
    regular, bold, fallback = _first(FONT_REGULAR), _first(FONT_BOLD), _first(FONT_FALLBACK)
    covered = _coverage(regular) if regular else frozenset(range(32, 256))
    return FontSet(
        regular=regular,
        bold=bold if regular else None,
        fallback=fallback if regular else None,
        covered=covered,
        fallback_covered=_coverage(fallback) if regular and fallback else frozenset(),
    )


def _first(paths: tuple[str, ...]) -> str | None:
    return next((path for path in paths if Path(path).is_file()), None)


def _coverage(path: str) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


class _Report:
    def __init__(self, *, fonts: FontSet, texts: list[str]):
        self.fonts = fonts
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.pdf.set_auto_page_break(auto=True, margin=PAGE_MARGIN + 6)
        self.pdf.set_creator("Sales CRM")
        self.family = "helvetica"
        self.uses_fallback = False
        if fonts.regular:
            self.family = "body"
            self.pdf.add_font(self.family, "", fonts.regular)
            self.pdf.add_font(self.family, "B", fonts.bold or fonts.regular)
            # The CJK font is large; load it only for a prospect whose name or facts need it.
            needed = {ord(ch) for text in texts for ch in text} - fonts.covered
            if fonts.fallback and needed & fonts.fallback_covered:
                self.pdf.add_font("fallback", "", fonts.fallback)
                self.pdf.set_fallback_fonts(["fallback"], exact_match=False)
                self.uses_fallback = True
        self.pdf.add_page()
        self.width = self.pdf.w - 2 * PAGE_MARGIN

    def clean(self, text: str) -> str:
        """The text with every character the fonts cannot draw replaced or dropped."""
        covered = self.fonts.covered | (
            self.fonts.fallback_covered if self.uses_fallback else frozenset()
        )
        if not self.fonts.regular:
            text = text.translate(CORE_FONT_STAND_INS)
        kept = []
        for char in text:
            if ord(char) in covered:
                kept.append(char)
                continue
            # "Ł" without its font still reads as "L"; a character with no such base is dropped.
            base = unicodedata.normalize("NFKD", char)
            kept.extend(c for c in base if ord(c) in covered and not unicodedata.combining(c))
        return " ".join("".join(kept).split())

    def font(self, size: float, *, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def header_band(self, *, team: str, title: str) -> None:
        pdf = self.pdf
        pdf.set_fill_color(*BRAND)
        pdf.rect(0, 0, pdf.w, HEADER_HEIGHT, style="F")
        pdf.set_xy(PAGE_MARGIN, 15)
        self.font(9, bold=True, color=(199, 210, 254))
        pdf.cell(self.width, 5, team.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        self.font(24, bold=True, color=WHITE)
        pdf.multi_cell(self.width, 10, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        self.font(10, color=(224, 231, 255))
        today = timezone.localdate()
        prepared = f"{today.day} {today:%B %Y}"
        pdf.cell(self.width, 5, f"Prepared on {prepared}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y() + 8, HEADER_HEIGHT) + 8)

    def section(self, title: str) -> None:
        pdf = self.pdf
        pdf.ln(3)
        self.font(13, bold=True)
        pdf.multi_cell(self.width, 7, self.clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*BRAND)
        pdf.set_line_width(0.6)
        pdf.line(PAGE_MARGIN, pdf.get_y() + 1, PAGE_MARGIN + 14, pdf.get_y() + 1)
        pdf.ln(4)

    def fact_row(self, label: str, value: str) -> None:
        pdf = self.pdf
        label_width = 42
        top = pdf.get_y()
        self.font(9, bold=True, color=MUTED)
        pdf.set_xy(PAGE_MARGIN, top + 2)
        pdf.multi_cell(label_width, 5, self.clean(label).upper(), align="L")
        self.font(11)
        pdf.set_xy(PAGE_MARGIN + label_width, top + 1.5)
        pdf.multi_cell(
            self.width - label_width, 6, self.clean(value) or "-", align="L", new_y=YPos.NEXT
        )
        bottom = pdf.get_y() + 2
        pdf.set_draw_color(*LINE)
        pdf.set_line_width(0.2)
        pdf.line(PAGE_MARGIN, bottom, PAGE_MARGIN + self.width, bottom)
        pdf.set_xy(PAGE_MARGIN, bottom)

    def chips(self, names: list[str]) -> None:
        pdf = self.pdf
        self.font(10, color=BRAND)
        x, y, height = PAGE_MARGIN, pdf.get_y(), 7
        for name in names:
            text = self.clean(name)
            if not text:
                continue
            width = pdf.get_string_width(text) + 8
            if x + width > PAGE_MARGIN + self.width:
                x, y = PAGE_MARGIN, y + height + 3
            pdf.set_fill_color(*BRAND_SOFT)
            pdf.rect(x, y, width, height, style="F", round_corners=True, corner_radius=2)
            pdf.set_xy(x, y)
            pdf.cell(width, height, text, align="C")
            x += width + 3
        pdf.set_xy(PAGE_MARGIN, y + height + 4)

    def paragraph(self, text: str) -> None:
        self.font(11, color=INK_SOFT)
        self.pdf.multi_cell(
            self.width, 6, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.pdf.ln(2)

    def call_to_action(self, *, rep: str, email: str, page_url: str, team: str) -> None:
        pdf = self.pdf
        top, height, pad = pdf.get_y() + 4, 46, 8
        if top + height > pdf.h - PAGE_MARGIN - 6:
            pdf.add_page()
            top = pdf.get_y()
        pdf.set_fill_color(*BRAND_SOFT)
        pdf.rect(PAGE_MARGIN, top, self.width, height, style="F", round_corners=True)
        left, inner = PAGE_MARGIN + pad, self.width - 2 * pad
        who = f"{rep} at {team}" if rep else team
        pdf.set_xy(left, top + pad)
        self.font(14, bold=True)
        pdf.cell(inner, 7, "Let's talk", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(left, pdf.get_y() + 1.5)
        self.font(11, color=INK_SOFT)
        pdf.multi_cell(
            inner,
            6,
            f"Book a 20-minute call with {who}: we will bring ideas specific to your business.",
            align="L",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        pdf.set_xy(left, pdf.get_y() + 1.5)
        self.font(11, bold=True, color=BRAND)
        if email:
            mailto = f"mailto:{email}"
            pdf.cell(inner, 6, self.clean(email), link=mailto, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.cell(inner, 6, "Open your personal page", link=page_url)
        pdf.set_xy(PAGE_MARGIN, top + height + 4)

    def footer_line(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_auto_page_break(auto=False)
        self.font(8, color=MUTED)
        pdf.set_xy(PAGE_MARGIN, pdf.h - PAGE_MARGIN)
        pdf.cell(self.width, 5, self.clean(text), align="C")
