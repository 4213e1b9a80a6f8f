"""Panels on the prospect page and the overview that the features built on the CRM add to them.

The CRM shows a prospect's contacts, tasks, log and deals itself. Sequences, the wizard,
meetings and whatever comes next add their own panel at start-up (in their `hooks.connect()`),
so the CRM's pages never import the features above them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from outreach.models import Prospect
from outreach.workspaces.access import MemberRequest


@dataclass(frozen=True)
class ProspectPanel:
    """A card in the prospect page's side column: `context` reads what `template` shows for one
    prospect (the template also gets `prospect`); panels appear by `order`."""

    name: str
    template: str
    context: Callable[[MemberRequest, Prospect], dict[str, Any]]
    order: int = 100


_panels: dict[str, ProspectPanel] = {}


def register_prospect_panel(panel: ProspectPanel) -> None:
    _panels[panel.name] = panel


def render_prospect_panels(request: MemberRequest, prospect: Prospect) -> list[SafeString]:
    """Every registered panel, rendered for this prospect, in order."""
    return [
        # A template's output is already marked safe: the engine escaped what it shows.
        render_to_string(
            panel.template, {**panel.context(request, prospect), "prospect": prospect}, request
        )
        for panel in sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))
    ]


@dataclass(frozen=True)
class OverviewPanel:
    """A card on the overview, below the rep's tasks: `context` reads what `template` shows
    for the signed-in member; panels appear by `order`."""

    name: str
    template: str
    context: Callable[[MemberRequest], dict[str, Any]]
    order: int = 100


_overview_panels: dict[str, OverviewPanel] = {}


def register_overview_panel(panel: OverviewPanel) -> None:
    _overview_panels[panel.name] = panel


def render_overview_panels(request: MemberRequest) -> list[SafeString]:
    return [
        render_to_string(panel.template, panel.context(request), request)
        for panel in sorted(_overview_panels.values(), key=lambda panel: (panel.order, panel.name))
    ]
