"""The renderer the print queue calls: one job -> the PDF of that attendee's badge."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from checkin.confirmations import qr_text_for
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.printing.queue import Job
from checkin.store import Store


def qr_text(store: Store, db_path: Path | None) -> Callable[[Attendee], str]:
    """What the badge QR carries: checkin.confirmations decides (signed token, recorded
    token, upstream code); without a database path, the attendee's opaque ref."""
    if db_path is not None:
        return qr_text_for(store, db_path)
    return lambda attendee: attendee.ref


def badge_renderer(store: Store, *, db_path: Path | None = None) -> Callable[[Job], bytes]:
    """render(job) for PrintQueue.process: renders with job.layout through checkin.badges.

    Uses store's connection, so call it on the thread that owns store (the print worker).
    """
    from checkin.badges.render import render_pdf  # reportlab: only when badges print
    text_for = qr_text(store, db_path)
    event_name = store.meta("event_name") or ""

    def render(job: Job) -> bytes:
        attendee = store.attendee(job.attendee_id)
        if attendee is None:
            raise CheckinError(f"attendee {job.attendee_id} is no longer in the database")
        if attendee.status == "cancelled":  # since the job was queued (an import, an edit)
            raise CheckinError(f"the registration of {job.attendee_id} is cancelled")
        out = io.BytesIO()
        render_pdf([attendee], job.layout, out, qr_text=text_for, event_name=event_name)
        return out.getvalue()

    return render
