"""The PDF report a prospect downloads from their wizard: two pages in the team's colour."""

import hashlib
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from outreach.models import WizardLink
from outreach.wizard.content import Fact, prospect_facts, prospect_topics, sender
from outreach.wizard.research import ProspectResearch, prospect_research

# Stored reports live under this folder of the storage, one sub-folder per link.
REPORT_FOLDER = "wizard-reports"
# Part of every stored report's name: changing the layout renders every report again.
REPORT_LAYOUT_VERSION = "report-2"

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


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, read once: what makes one rendering differ from another."""

    name: str
    domain: str
    team: str
    team_description: str
    brand_color: str
    rep_name: str
    rep_email: str
    facts: tuple[Fact, ...]
    topics: tuple[str, ...]
    research: ProspectResearch | None
    page_url: str
    booking_url: str


def report_content(*, link: WizardLink) -> ReportContent:
    prospect = link.prospect
    who = sender(link=link)
    research = prospect_research(prospect=prospect)
    return ReportContent(
        name=prospect.name,
        domain=prospect.domain,
        team=who.team,
        team_description=link.workspace.company_description,
        brand_color=link.workspace.brand_color,
        rep_name=who.rep_name,
        rep_email=who.rep_email,
        facts=tuple(prospect_facts(prospect=prospect)),
        topics=tuple(prospect_topics(prospect=prospect)),
        research=research,
        page_url=link.url,
        booking_url=f"{settings.SITE_URL}{reverse('wizard:wizard_step', args=[link.token, 4])}",
    )


def prospect_report_file(*, link: WizardLink) -> File:
    """The report's PDF, opened for reading: the stored one, rendered first if there is none.

    Its name is a digest of the content (and of the link's secret token), so a change to the
    prospect, its research or the team's details is a new file, and a download of an unchanged
    report streams the stored one. Reports are rendered ahead of the first download whenever
    their content changes (`reports_render`, from a task); rendering here only covers a change
    that task has not caught up with yet.
    """
    content = report_content(link=link)
    path = report_path(link=link, content=content)
    stored = _open(path)
    if stored is None:
        _store(link, content, path)
        stored = _open(path)
    if stored is None:
        # Rendered, and already replaced by a newer version in the meantime: serve this one.
        return ContentFile(render_prospect_report(content), name=path)
    return stored


def report_store(*, link: WizardLink) -> bool:
    """Render and store the link's report unless its current content is stored already; True
    when it rendered."""
    content = report_content(link=link)
    path = report_path(link=link, content=content)
    if default_storage.exists(path):
        return False
    return _store(link, content, path)


def report_stored(*, link: WizardLink) -> bool:
    """Whether a download of the link's report would find it stored (and render nothing)."""
    return default_storage.exists(report_path(link=link, content=report_content(link=link)))


def reports_render(*, link_ids: Collection[int]) -> int:
    """Store the current report of each of these links that is still live; returns how many
    were rendered (the others were up to date, or revoked)."""
    links = WizardLink.objects.select_related("workspace", "prospect__owner").filter(
        pk__in=link_ids, revoked_at__isnull=True
    )
    return sum(report_store(link=link) for link in links)


def _store(link: WizardLink, content: ReportContent, path: str) -> bool:
    # Concurrent first downloads (and the pre-render task) wait on the link's row while one of
    # them renders, then read what it stored: a PostgreSQL row lock; SQLite runs one writer at
    # a time anyway.
    with transaction.atomic():
        WizardLink.objects.select_for_update().filter(pk=link.pk).first()
        if default_storage.exists(path):
            return False
        default_storage.save(path, ContentFile(render_prospect_report(content)))
        _forget_older_reports(path.rsplit("/", 1)[0], keep=path)
    return True


def report_path(*, link: WizardLink, content: ReportContent) -> str:
    """Where the report of this content is stored, whether or not it is there yet."""
    folder = f"{REPORT_FOLDER}/{hashlib.sha256(link.token.encode()).hexdigest()[:24]}"
    return f"{folder}/{_digest(content)}.pdf"


def _digest(content: ReportContent) -> str:
    fingerprint = f"{REPORT_LAYOUT_VERSION}|{content!r}"
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


def _open(path: str) -> File | None:
    # Opening is the check: with exists() first, an older report deleted between the two (its
    # content changed under a download) would fail the download.
    try:
        return default_storage.open(path, "rb")
    except FileNotFoundError:
        return None


def _forget_older_reports(folder: str, *, keep: str) -> None:
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if f"{folder}/{name}" != keep:
            default_storage.delete(f"{folder}/{name}")


def render_prospect_report(content: ReportContent) -> bytes:
    """Two pages in the team's colour: what we learned (their site, their words, their facts),
    then why it matters to them and the next step, with the link to book a call."""
    research = content.research or ProspectResearch()
    personal = [content.name, content.team, content.rep_name, *content.topics]
    personal += [fact.value for fact in content.facts]
    personal += [research.what_they_do, research.who_they_serve, *research.headlines]
    personal += [*research.own_words, content.team_description]
    report = _Report(fonts=_fonts(), texts=personal, brand=_rgb(content.brand_color))
    name = report.clean(content.name) or report.clean(content.domain) or "your team"
    team = report.clean(content.team) or "our team"

    report.header_band(team=team, title=f"A report for {name}")
    report.section(f"What we learned about {name}")
    if research.what_they_do:
        report.labelled("What you do", research.what_they_do)
    if research.who_they_serve:
        report.labelled("Who you serve", research.who_they_serve)
    if research.headlines:
        report.labelled("What you are talking about", "")
        report.bullets(research.headlines)
    if research.own_words:
        report.labelled("In your own words", "")
        for words in research.own_words:
            report.quote(words)
    if research.source_url:
        read = f", read on {_day(research.read_at)}" if research.read_at else ""
        report.source(f"Source: {research.source_url}{read}")
    if content.facts:
        report.section("At a glance")
        for fact in content.facts:
            report.fact_row(fact.label, fact.value)
    elif research.is_empty:
        report.paragraph("We are still getting to know you: tell us about your team on the call.")
    if content.topics:
        report.section("What you focus on")
        report.chips(list(content.topics))
    report.footer_line(f"Prepared for {name} by {team}. Personal and confidential.")

    report.new_page()
    report.section(f"Why this matters to {name}")
    if research.what_they_do:
        report.paragraph(f"Your site puts it this way: \u201c{research.what_they_do}\u201d")
    about_us = content.team_description or (
        f"{team} helps teams like yours follow up every interested buyer while the interest "
        "is fresh, with less busywork for the people doing the selling."
    )
    report.paragraph(about_us)
    report.numbered(
        [
            f"Every interested buyer of {name} hears back while the interest is fresh, "
            "not days later.",
            "Each follow-up is personal: a short video and a page like yours, made for the "
            "person reading it.",
            "Your team spends its time in conversations, and the busywork runs itself.",
        ]
    )
    report.section("Your next step")
    report.call_to_action(
        rep=report.clean(content.rep_name),
        email=content.rep_email,
        booking_url=content.booking_url,
        page_url=content.page_url,
        team=team,
    )
    report.footer_line(f"Prepared for {name} by {team}. Personal and confidential.")
    return bytes(report.pdf.output())


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    if len(color) != 6:
        return BRAND
    try:
        red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return BRAND
    return red, green, blue


def _mix(color: tuple[int, int, int], white: float) -> tuple[int, int, int]:
    red, green, blue = (round(c + (255 - c) * white) for c in color)
    return red, green, blue


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


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
    def __init__(self, *, fonts: FontSet, texts: list[str], brand: tuple[int, int, int] = BRAND):
        self.fonts = fonts
        self.brand = brand
        self.brand_soft = _mix(brand, 0.9)
        self.brand_faint = _mix(brand, 0.75)
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.alias_nb_pages()
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
        pdf.set_fill_color(*self.brand)
        pdf.rect(0, 0, pdf.w, HEADER_HEIGHT, style="F")
        pdf.set_xy(PAGE_MARGIN, 15)
        self.font(9, bold=True, color=self.brand_faint)
        pdf.cell(self.width, 5, team.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        self.font(24, bold=True, color=WHITE)
        pdf.multi_cell(self.width, 10, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        self.font(10, color=self.brand_soft)
        today = timezone.localdate()
        prepared = f"{today.day} {today:%B %Y}"
        pdf.cell(self.width, 5, f"Prepared on {prepared}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y() + 8, HEADER_HEIGHT) + 8)

    def section(self, title: str) -> None:
        pdf = self.pdf
        pdf.ln(3)
        self.font(13, bold=True)
        pdf.multi_cell(self.width, 7, self.clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*self.brand)
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
        self.font(10, color=self.brand)
        x: float = PAGE_MARGIN
        y, height = pdf.get_y(), 7
        for name in names:
            text = self.clean(name)
            if not text:
                continue
            width = pdf.get_string_width(text) + 8
            if x + width > PAGE_MARGIN + self.width:
                x, y = PAGE_MARGIN, y + height + 3
            pdf.set_fill_color(*self.brand_soft)
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

    def new_page(self) -> None:
        """The next page, under a thin band of the brand colour."""
        pdf = self.pdf
        pdf.set_auto_page_break(auto=True, margin=PAGE_MARGIN + 6)
        pdf.add_page()
        pdf.set_fill_color(*self.brand)
        pdf.rect(0, 0, pdf.w, 6, style="F")
        pdf.set_xy(PAGE_MARGIN, PAGE_MARGIN)

    def labelled(self, label: str, text: str) -> None:
        pdf = self.pdf
        self.font(8.5, bold=True, color=MUTED)
        pdf.cell(self.width, 5, self.clean(label).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if text:
            self.font(11.5, bold=True)
            pdf.multi_cell(
                self.width, 6, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(3)

    def bullets(self, items: list[str]) -> None:
        self.font(11, color=INK)
        for item in items:
            self.pdf.set_x(PAGE_MARGIN + 2)
            self.pdf.multi_cell(
                self.width - 2,
                6,
                f"\u2022  {self.clean(item)}" if self.fonts.regular else f"-  {self.clean(item)}",
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.pdf.ln(3)

    def quote(self, text: str) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        self.font(11, color=INK_SOFT)
        pdf.set_x(PAGE_MARGIN + 5)
        pdf.multi_cell(
            self.width - 5, 6, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_draw_color(*self.brand)
        pdf.set_line_width(0.8)
        pdf.line(PAGE_MARGIN + 1, top + 0.5, PAGE_MARGIN + 1, pdf.get_y() - 0.5)
        pdf.ln(2.5)

    def source(self, text: str) -> None:
        self.font(8.5, color=MUTED)
        self.pdf.multi_cell(
            self.width, 4.5, self.clean(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.pdf.ln(2)

    def numbered(self, items: list[str]) -> None:
        pdf = self.pdf
        for number, item in enumerate(items, 1):
            top = pdf.get_y() + 1
            pdf.set_fill_color(*self.brand)
            pdf.ellipse(PAGE_MARGIN, top, 7, 7, style="F")
            self.font(10, bold=True, color=WHITE)
            pdf.set_xy(PAGE_MARGIN, top)
            pdf.cell(7, 7, str(number), align="C")
            self.font(11, color=INK)
            pdf.set_xy(PAGE_MARGIN + 11, top + 0.5)
            pdf.multi_cell(
                self.width - 11, 6, self.clean(item), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(3)

    def call_to_action(
        self, *, rep: str, email: str, booking_url: str, page_url: str, team: str
    ) -> None:
        pdf = self.pdf
        top, height, pad = pdf.get_y() + 2, 62, 8
        if top + height > pdf.h - PAGE_MARGIN - 6:
            pdf.add_page()
            top = pdf.get_y()
        pdf.set_fill_color(*self.brand_soft)
        pdf.rect(PAGE_MARGIN, top, self.width, height, style="F", round_corners=True)
        left, inner = PAGE_MARGIN + pad, self.width - 2 * pad
        who = f"{rep} at {team}" if rep else team
        pdf.set_xy(left, top + pad)
        self.font(14, bold=True)
        pdf.cell(inner, 7, "Book a call", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(left, pdf.get_y() + 1.5)
        self.font(11, color=INK_SOFT)
        pdf.multi_cell(
            inner,
            6,
            f"Pick a time that suits you for a call with {who}, in your own time zone: we "
            "will bring ideas specific to your business.",
            align="L",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        button_top = pdf.get_y() + 3
        pdf.set_fill_color(*self.brand)
        pdf.rect(left, button_top, 62, 10, style="F", round_corners=True, corner_radius=2)
        pdf.set_xy(left, button_top)
        self.font(11, bold=True, color=WHITE)
        pdf.cell(62, 10, "Choose a time", align="C", link=booking_url)
        pdf.set_xy(left, button_top + 13)
        self.font(9, color=INK_SOFT)
        pdf.cell(
            inner, 5, self.clean(booking_url), link=booking_url, new_x=XPos.LEFT, new_y=YPos.NEXT
        )
        self.font(10, bold=True, color=self.brand)
        if email:
            pdf.cell(
                inner,
                6,
                self.clean(email),
                link=f"mailto:{email}",
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
        pdf.set_xy(PAGE_MARGIN, top + height + 4)
        self.font(10, color=INK_SOFT)
        pdf.multi_cell(
            self.width,
            5.5,
            "Your personal page has the same story, with a short video made for you.",
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.cell(self.width, 5.5, self.clean(page_url), link=page_url)

    def footer_line(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_auto_page_break(auto=False)
        self.font(8, color=MUTED)
        pdf.set_xy(PAGE_MARGIN, pdf.h - PAGE_MARGIN)
        pdf.cell(self.width, 5, f"{self.clean(text)}  {pdf.page_no()} / {{nb}}", align="C")
