"""Badges: layouts (data files), fonts, shaping, auto-fit and PDF/PNG rendering.

The heavy parts (reportlab, HarfBuzz, fonts) load only when a badge is rendered; see
checkin.badges.render for the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checkin.models import Attendee, EventInfo

CONFIRMATION_LAYOUT = "confirmation"
_LAZY = {"render_pdf": "render", "render_png": "render", "compose": "render",
         "load_layout": "layout", "list_layouts": "layout", "Layout": "layout"}


# What a badge shows of a person (checkin.badges.render draws these, with the event's
# name and the QR code): a change to any of them makes a printed badge out of date.
PRINTED_FIELDS = ("title", "given_name", "family_name", "badge_name", "name_order",
                  "organisation", "country", "role")


def badge_changes(before: Attendee, after: Attendee) -> list[str]:
    """The printed fields (PRINTED_FIELDS) that differ between two versions of a person,
    in that order; [] when the badge would come out the same."""
    changed = [name for name in PRINTED_FIELDS
               if getattr(before, name) != getattr(after, name)]
    if "country" not in changed and not after.country:
        # a spelling the import could not map is printed from extra["country"]
        old, new = (a.extra.get("country") if isinstance(a.extra, dict) else None
                    for a in (before, after))
        if old != new:
            changed.append("country")
    return changed


def __getattr__(name: str) -> Any:
    """`from checkin.badges import render_pdf` without loading reportlab on import."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'checkin.badges' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"checkin.badges.{module}"), name)


def render_confirmation(event: EventInfo, attendee: Attendee, token: str, path: Path) -> None:
    """One A4 page for the attendee's confirmation: event, name, QR of token, instructions."""
    from checkin.badges.render import render_pdf

    render_pdf([attendee], CONFIRMATION_LAYOUT, path, qr_text=lambda _a: token,
               event_name=event.name)
