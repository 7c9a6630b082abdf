"""Badges: layouts (data files), fonts, shaping, auto-fit and PDF/PNG rendering.

The heavy parts (reportlab, HarfBuzz, fonts) load only when a badge is rendered; see
checkin.badges.render for the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checkin.models import Attendee, EventInfo

CONFIRMATION_LAYOUT = "confirmation"


def render_confirmation(event: EventInfo, attendee: Attendee, token: str, path: Path) -> None:
    """One A4 page for the attendee's confirmation: event, name, QR of token, instructions."""
    from checkin.badges.render import render_pdf

    render_pdf([attendee], CONFIRMATION_LAYOUT, path, qr_text=lambda _a: token,
               event_name=event.name)
