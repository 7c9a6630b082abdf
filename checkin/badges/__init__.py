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
