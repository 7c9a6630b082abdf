"""The one-page attendance summary as PDF (reportlab): `checkin report`'s summary-DAY.pdf.

Contract: ``write_pdf(summary, path)`` draws checkin.summary.Summary on one A4 page and
writes it atomically (a temporary file beside path, renamed into place; CheckinError in
one line if that fails). The page holds: the event and the day, the sync state (a desk
that is not fully synced says so in red), the key figures, arrivals per 15 minutes, by
role and by country (reportlab graphics: bars of checked in over expected), the
conflicts, and the no-shows by role, by country and by name, as many names as the page
holds (the rest are counted, and are in the attendance files).

Text: every name, role and title is shaped with HarfBuzz and drawn as glyph outlines from
the shipped fonts (checkin.badges.shaping: font fallback per character, bidi order), so
Greek, CJK, Arabic or Devanagari names print as they are written; each glyph is one PDF
form, drawn as often as it is used. Text that Latin-1 (cp1252) can encode also gets an
invisible text layer, so that the PDF can be searched and copied from (pdftotext reads
it). Figures and chart labels are ASCII and drawn as ordinary text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin.errors import CheckinError
from checkin.reports import GroupCount, Slot

if TYPE_CHECKING:
    from checkin.summary import Summary

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
MARGIN = 36.0
WIDTH = PAGE_W - 2 * MARGIN
INK, MUTED, GRID = "#1a1a1a", "#5f6368", "#d9d9d9"
ACCENT, LIGHT = "#1f4e79", "#c9d6e3"
WARN, WARN_BG = "#b00020", "#fdecea"
MAX_ROLES, MAX_COUNTRIES, MAX_CONFLICTS = 8, 12, 5


# -- text ----------------------------------------------------------------------------------


class _Writer:
    """Shaped text on a canvas: glyph outlines as shared forms, plus a hidden text layer."""

    def __init__(self, canvas: Any) -> None:
        self.c = canvas
        self.forms: dict[tuple[int, int], str | None] = {}

    @staticmethod
    def width(text: str, size: float, weight: str = "regular") -> float:
        from checkin.badges.shaping import shape

        return shape(text, weight).scaled_width(size) if text else 0.0

    def fit(self, text: str, size: float, room: float, weight: str = "regular") -> str:
        """text, or its longest start that fits room with an ellipsis."""
        if self.width(text, size, weight) <= room:
            return text
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + "…", size, weight) <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + "…" if low else ""

    def wrap(self, parts: Sequence[str], size: float, room: float, *, sep: str = " · ",
             weight: str = "regular") -> list[str]:
        """parts joined by sep into lines that fit room (a part is never split, only cut
        with an ellipsis when it alone is too wide)."""
        lines: list[str] = []
        for part in parts:
            candidate = f"{lines[-1]}{sep}{part}" if lines else part
            if lines and self.width(candidate, size, weight) <= room:
                lines[-1] = candidate
            else:
                lines.append(self.fit(part, size, room, weight))
        return lines

    def draw(self, text: str, x: float, y: float, size: float, *, weight: str = "regular",
             colour: str = INK, align: str = "left", room: float | None = None) -> float:
        """Draw one line with its baseline at y; returns the width drawn."""
        from reportlab.lib.colors import HexColor

        from checkin.badges.shaping import shape

        if room is not None:
            text = self.fit(text, size, room, weight)
        if not text:
            return 0.0
        line = shape(text, weight)
        width = line.scaled_width(size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        c = self.c
        c.setFillColor(HexColor(colour))
        scale = size / 1000
        for glyph in line.glyphs:
            form = self._form(glyph.face, glyph.gid)
            if form is None:
                continue
            c.saveState()
            c.transform(scale, 0, 0, scale, x + glyph.x * scale, y + glyph.y * scale)
            c.doForm(form)
            c.restoreState()
        self._hidden(line.text, x, y, size, width)
        return width

    def _form(self, face: Any, gid: int) -> str | None:
        key = (id(face), gid)
        if key in self.forms:
            return self.forms[key]
        ops = face.outline(gid)
        name = None
        if ops:
            xs = [v for op in ops for v in op[1::2]]
            ys = [v for op in ops for v in op[2::2]]
            name = f"glyph{len(self.forms)}"
            c = self.c
            c.beginForm(name, min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1)
            path = c.beginPath()
            for op in ops:
                if op[0] == "M":
                    path.moveTo(op[1], op[2])
                elif op[0] == "L":
                    path.lineTo(op[1], op[2])
                elif op[0] == "C":
                    path.curveTo(*op[1:])
                else:
                    path.close()
            c.drawPath(path, stroke=0, fill=1, fillMode=1)  # nonzero winding, as fonts are
            c.endForm()
        self.forms[key] = name
        return name

    def _hidden(self, text: str, x: float, y: float, size: float, width: float) -> None:
        try:
            text.encode("cp1252")
        except UnicodeEncodeError:
            return
        from reportlab.pdfbase.pdfmetrics import stringWidth

        natural = stringWidth(text, "Helvetica", size)
        # The render mode is graphics state and outlives the text object: saved and
        # restored, or the chart labels drawn later would be invisible too.
        self.c.saveState()
        layer = self.c.beginText(x, y)
        layer.setTextRenderMode(3)  # invisible: searchable, drawn by the outlines above
        layer.setFont("Helvetica", size)
        layer.setHorizScale(100 * width / natural if natural > 0 else 100)
        layer.textOut(text)
        self.c.drawText(layer)
        self.c.restoreState()


# -- charts (reportlab graphics) ---------------------------------------------------------------


def _nice_top(value: int) -> tuple[int, int]:
    """(axis top, step) for counts up to value: a step of 1, 2 or 5 times a power of ten,
    at most five steps."""
    step = 1
    while -(-value // step) > 5:
        step = _next_step(step)
    return max(step, -(-value // step) * step), step


def _next_step(step: int) -> int:
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    return int({1: 2, 2: 5, 5: 10}[lead] * 10 ** zeros)


def _quarter(label: str) -> int:
    hours, minutes = label.split(":")
    return int(hours) * 4 + int(minutes) // 15


def _label(quarter: int) -> str:
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"


def _padded(slots: list[Slot], least: int = 16) -> list[Slot]:
    """At least `least` quarters, the busy ones in the middle, within the day."""
    if not slots:
        return []
    first, last = _quarter(slots[0].start), _quarter(slots[-1].start)
    counts = {_quarter(s.start): s.count for s in slots}
    while last - first + 1 < least and (first > 0 or last < 95):
        if last < 95:
            last += 1
        if first > 0 and last - first + 1 < least:
            first -= 1
    return [Slot(_label(q), counts.get(q, 0)) for q in range(first, last + 1)]


def arrivals_drawing(slots: list[Slot], width: float, height: float) -> Any:
    """Arrivals per 15 minutes as bars; hours along the bottom, counts on the left."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib.colors import HexColor

    drawing = Drawing(width, height)
    shown = _padded(slots)
    left, bottom, top_pad = 28.0, 14.0, 4.0
    plot_w, plot_h = width - left, height - bottom - top_pad
    top, step = _nice_top(max(s.count for s in shown))
    for value in range(0, top + 1, step):
        y = bottom + plot_h * value / top
        drawing.add(Line(left, y, width, y, strokeColor=HexColor(GRID), strokeWidth=0.5))
        drawing.add(String(left - 4, y - 2.5, str(value), fontName="Helvetica", fontSize=7,
                           fillColor=HexColor(MUTED), textAnchor="end"))
    slot_w = plot_w / len(shown)
    every = 4 if len(shown) <= 48 else 8  # a label per hour, or per two hours
    for i, slot in enumerate(shown):
        x = left + i * slot_w
        if slot.count:
            drawing.add(Rect(x + slot_w * 0.1, bottom, slot_w * 0.8,
                             plot_h * slot.count / top, fillColor=HexColor(ACCENT),
                             strokeColor=None))
        if _quarter(slot.start) % every == 0:
            drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=HexColor(MUTED),
                             strokeWidth=0.5))
            drawing.add(String(x, 2, slot.start, fontName="Helvetica", fontSize=7,
                               fillColor=HexColor(MUTED), textAnchor="middle"))
    drawing.add(Line(left, bottom, width, bottom, strokeColor=HexColor(MUTED), strokeWidth=0.7))
    return drawing


def bars_drawing(groups: list[GroupCount], width: float, row: float, *,
                 summed: bool = False) -> Any:
    """Checked in (dark) over expected (light) per group, one row each, top down; the
    numbers at the right. Labels are drawn beside it by the caller (shaped text). With
    summed, the last row is the rest added up: numbers only, so that its long bar does
    not shrink the others to slivers."""
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib.colors import HexColor

    height = row * len(groups)
    drawing = Drawing(width, height)
    numbers = 46.0
    room = width - numbers
    barred = groups[:-1] if summed else groups
    most = max([max(g.checked_in, g.expected) for g in barred] + [1])
    for i, group in enumerate(groups):
        y = height - (i + 1) * row + row * 0.2
        bar = row * 0.6
        if group in barred:
            drawing.add(Rect(0, y, room * group.expected / most, bar,
                             fillColor=HexColor(LIGHT), strokeColor=None))
        if group.checked_in and group in barred:
            drawing.add(Rect(0, y, room * group.checked_in / most, bar,
                             fillColor=HexColor(ACCENT), strokeColor=None))
        drawing.add(String(width, y + bar / 2 - 2.5, f"{group.checked_in} / {group.expected}",
                           fontName="Helvetica", fontSize=7, fillColor=HexColor(INK),
                           textAnchor="end"))
    return drawing


def _top(groups: list[GroupCount], most: int, rest: str) -> tuple[list[GroupCount], bool]:
    """The first most-1 groups and the others summed up as one, if there are more than
    most; and whether the last one is that sum."""
    if len(groups) <= most:
        return groups, False
    kept, others = groups[:most - 1], groups[most - 1:]
    return [*kept, GroupCount(rest.format(len(others)), sum(g.checked_in for g in others),
                              sum(g.expected for g in others))], True


# -- the page ----------------------------------------------------------------------------------


def _country(code: str) -> str:
    if not code:
        return "unknown"
    from checkin.badges.render import country_name

    return country_name(code)


# Roles whose usual spelling is not the capitalised word.
_ROLE_NAMES = {"vip": "VIP"}


def _role(role: str) -> str:
    if not role:
        return "No role"
    return _ROLE_NAMES.get(role, role[:1].upper() + role[1:])


def _clock(time: str | None) -> str:
    return (time or "")[:16].replace("T", " ")


class _Page:
    def __init__(self, canvas: Any, summary: Summary) -> None:
        self.c = canvas
        self.s = summary
        self.text = _Writer(canvas)
        self.y = PAGE_H - MARGIN  # the top of what comes next

    def colour(self, hex_colour: str, *, stroke: bool = False) -> None:
        from reportlab.lib.colors import HexColor

        if stroke:
            self.c.setStrokeColor(HexColor(hex_colour))
        else:
            self.c.setFillColor(HexColor(hex_colour))

    def section(self, title: str, note: str = "") -> None:
        self.y -= 18
        self.text.draw(title, MARGIN, self.y, 10.5, weight="bold")
        if note:
            self.text.draw(note, PAGE_W - MARGIN, self.y, 8, colour=MUTED, align="right",
                           room=WIDTH * 0.45)
        self.y -= 5
        self.colour(GRID, stroke=True)
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y -= 4

    # -- the parts, top down -----------------------------------------------------------

    def header(self) -> None:
        s = self.s
        self.y -= 18
        size = 18.0  # a long name is set smaller, down to 12 pt, before it is cut
        while size > 12 and self.text.width(s.event.name, size, "bold") > WIDTH:
            size -= 1
        self.text.draw(s.event.name, MARGIN, self.y, size, weight="bold", room=WIDTH)
        self.y -= 15
        day = date.fromisoformat(s.day)
        which = (f", day {s.event.days.index(s.day) + 1} of {len(s.event.days)}"
                 if s.day in s.event.days and len(s.event.days) > 1 else "")
        self.text.draw(f"Attendance on {day:%A} {day.day} {day:%B %Y}{which}", MARGIN,
                       self.y, 10)
        self.text.draw(f"made {_clock(s.made_at)} from {s.database}", PAGE_W - MARGIN,
                       self.y, 8, colour=MUTED, align="right", room=WIDTH * 0.4)
        self.y -= 8

    def sync(self) -> None:
        state = self.s.sync
        if not state.fully_synced:
            detail = state.detail[:1].upper() + state.detail[1:]
            lines = self.text.wrap(detail.split(" "), 8.5, WIDTH - 16, sep=" ")
            box = 20 + 11 * len(lines)
            self.y -= box + 4
            self.colour(WARN_BG)
            self.colour(WARN, stroke=True)
            self.c.setLineWidth(1)
            self.c.rect(MARGIN, self.y, WIDTH, box, stroke=1, fill=1)
            top = self.y + box - 13
            self.text.draw("NOT FULLY SYNCED: the figures below may be incomplete", MARGIN + 8,
                           top, 9.5, weight="bold", colour=WARN)
            for i, line in enumerate(lines):
                self.text.draw(line, MARGIN + 8, top - 12 - 11 * i, 8.5, colour=WARN)
            return
        if state.kind == "desk":
            parts = [f"Desk synced with {state.hub}: nothing waits in its outbox "
                     f"(last sync {_clock(state.last_sync)})"]
        elif state.kind == "hub":
            finals = sum(1 for d in state.desks if d.final_at)
            parts = [f"Hub with {len(state.desks)} desk{'s' if len(state.desks) != 1 else ''}"
                     f", {finals} after their final sync"] + [
                f"{d.name}: " + (f"final sync {_clock(d.final_at)[11:]}" if d.final_at else
                                 f"last contact {_clock(d.last_contact)[11:] or 'never'}, "
                                 "no final sync")
                for d in state.desks]
        else:
            parts = ["One database, synced with no other"]
        lines = self.text.wrap(parts, 8.5, WIDTH, sep=" · ")
        if len(lines) > 3:  # dozens of desks: the first ones, and a sign of more
            lines = [*lines[:2], self.text.fit(lines[2] + " · …", 8.5, WIDTH)]
        for line in lines:
            self.y -= 11
            self.text.draw(line, MARGIN, self.y, 8.5, colour=MUTED)
        self.y -= 2

    def figures(self) -> None:
        r, s = self.s.report, self.s
        share = f" ({100 * r.checked_in / r.expected:.0f} %)" if r.expected else ""
        boxes = [("Checked in", str(r.checked_in), f"of {r.expected} expected{share}", ACCENT),
                 ("No-shows", str(len(s.no_shows)), "registered, not checked in", INK),
                 ("Conflicts", str(len(s.conflicts)), "admitted at several desks",
                  WARN if s.conflicts else INK),
                 ("Walk-ins", str(s.walk_ins), "registered at a desk this day", INK)]
        gap = 8.0
        box_w = (WIDTH - gap * (len(boxes) - 1)) / len(boxes)
        height = 48.0
        self.y -= height + 8
        for i, (label, value, note, colour) in enumerate(boxes):
            x = MARGIN + i * (box_w + gap)
            self.colour("#f4f6f8")
            self.c.rect(x, self.y, box_w, height, stroke=0, fill=1)
            self.text.draw(label, x + 8, self.y + height - 12, 8, colour=MUTED)
            self.text.draw(value, x + 8, self.y + 14, 20, weight="bold", colour=colour)
            self.text.draw(note, x + 8, self.y + 5, 6.5, colour=MUTED, room=box_w - 12)

    def arrivals(self) -> None:
        from reportlab.graphics import renderPDF

        slots = self.s.report.arrivals
        note = ""
        if slots:
            peak = max(slots, key=lambda slot: slot.count)
            end = _label(_quarter(peak.start) + 1) if peak.start != "23:45" else "24:00"
            note = (f"busiest quarter {peak.start}-{end}: {peak.count} "
                    f"arrival{'s' if peak.count != 1 else ''}")
        self.section("Arrivals per 15 minutes", note)
        height = 112.0
        self.y -= height
        if not slots:
            self.colour("#f4f6f8")
            self.c.rect(MARGIN, self.y, WIDTH, height, stroke=0, fill=1)
            self.text.draw("No admissions on this day.", PAGE_W / 2, self.y + height / 2 - 4,
                           10, colour=MUTED, align="center")
            return
        renderPDF.draw(arrivals_drawing(slots, WIDTH, height), self.c, MARGIN, self.y)

    def groups(self) -> None:
        from reportlab.graphics import renderPDF

        r = self.s.report
        roles, other_roles = _top(r.roles, MAX_ROLES, "{} other roles")
        countries, other_countries = _top(r.countries, MAX_COUNTRIES, "{} other countries")
        self.y -= 14
        half = (WIDTH - 18) / 2
        right = MARGIN + half + 18
        self.text.draw("By role", MARGIN, self.y, 10.5, weight="bold")
        self.text.draw("checked in / expected", MARGIN + half, self.y, 7.5, colour=MUTED,
                       align="right")
        self.text.draw(f"By country ({len(r.countries)})", right, self.y, 10.5, weight="bold")
        self.text.draw("checked in / expected", PAGE_W - MARGIN, self.y, 7.5, colour=MUTED,
                       align="right")
        self.y -= 5
        self.colour(GRID, stroke=True)
        self.c.line(MARGIN, self.y, MARGIN + half, self.y)
        self.c.line(right, self.y, PAGE_W - MARGIN, self.y)
        row = 11.5
        label_w = 92.0
        rows = max(len(roles), len(countries), 1)
        top = self.y - 3
        for x, found, summed, name in ((MARGIN, roles, other_roles, _role),
                                       (right, countries, other_countries, _country)):
            if not found:
                self.text.draw("nobody expected", x, top - 9, 8, colour=MUTED)
                continue
            drawing = bars_drawing(found, half - label_w, row, summed=summed)
            renderPDF.draw(drawing, self.c, x + label_w, top - row * len(found))
            for i, group in enumerate(found):
                rest = summed and i == len(found) - 1
                self.text.draw(group.key if rest else name(group.key), x,
                               top - row * (i + 1) + row * 0.3, 7.5, room=label_w - 6,
                               colour=MUTED if rest else INK)
        self.y = top - row * rows - 2

    def conflicts(self) -> None:
        found = self.s.conflicts
        self.section(f"Conflicts ({len(found)})",
                     "one person, admitted at several desks while they were apart")
        if not found:
            self.y -= 10
            self.text.draw("None.", MARGIN, self.y, 8.5, colour=MUTED)
            return
        shown = found if len(found) <= MAX_CONFLICTS else found[:MAX_CONFLICTS - 1]
        for conflict in shown:
            self.y -= 10.5
            self.text.draw(conflict.attendee_id, MARGIN, self.y, 8, colour=MUTED,
                           room=70)
            self.text.draw(conflict.name or "-", MARGIN + 74, self.y, 8.5, room=170)
            where = ", ".join(f"{a.station} {a.time[11:16]}"
                              + (f" ({a.operator})" if a.operator else "")
                              for a in conflict.admissions)
            self.text.draw(where, MARGIN + 250, self.y, 8, room=WIDTH - 250)
        if len(shown) < len(found):
            self.y -= 10.5
            self.text.draw(f"… and {len(found) - len(shown)} more: checkin conflicts --day "
                           f"{self.s.day}", MARGIN, self.y, 8, colour=MUTED)

    def no_shows(self, bottom: float) -> None:
        s = self.s
        absent = s.no_shows
        self.section(f"No-shows ({len(absent)})",
                     f"confirmed, registered for {s.day}, not checked in")
        if not absent:
            self.y -= 10
            self.text.draw("None: everyone registered for this day came.", MARGIN, self.y,
                           8.5, colour=MUTED)
            return
        for label, parts in (
                ("By role:", [f"{_role(k)} {n}" for k, n in s.no_shows_by("role")]),
                ("By country:", [f"{_country(k)} {n}" for k, n in s.no_shows_by("country")])):
            lines = self.text.wrap(parts, 8, WIDTH - 58)
            for i, line in enumerate(lines[:3]):
                self.y -= 10
                if i == 0:
                    self.text.draw(label, MARGIN, self.y, 8, weight="bold")
                if i == 2 and len(lines) > 3:
                    line = self.text.fit(line + " …", 8, WIDTH - 58)
                self.text.draw(line, MARGIN + 58, self.y, 8)
        self.y -= 5
        columns, leading, size = 4, 9.6, 7.5
        column_w = WIDTH / columns
        rows = max(int((self.y - bottom) // leading), 0)
        room = rows * columns
        if room == 0:
            return
        listed = absent if len(absent) <= room else absent[:room - 1]
        per_column = -(-len(listed) // columns) if len(absent) <= room else rows
        for i, person in enumerate(listed):
            col, place = divmod(i, per_column)
            x = MARGIN + col * column_w
            y = self.y - leading * (place + 1) + 2
            code = person.country or ""
            self.text.draw(person.display_name or person.id, x, y, size,
                           room=column_w - (22 if code else 6))
            if code:
                self.text.draw(code, x + column_w - 8, y, 6.5, colour=MUTED, align="right")
        if len(listed) < len(absent):
            col, place = divmod(len(listed), per_column)
            self.text.draw(f"… and {len(absent) - len(listed)} more (attendance.csv)",
                           MARGIN + col * column_w, self.y - leading * (place + 1) + 2, size,
                           weight="bold", colour=MUTED, room=column_w - 6)

    def footer(self) -> None:
        from checkin import __version__

        self.text.draw(f"checkin {__version__} · checkin report · {self.s.database} · "
                       "the attendance files hold every attendee and every day",
                       MARGIN, MARGIN - 16, 7, colour=MUTED, room=WIDTH)


def draw(canvas: Any, summary: Summary) -> None:
    page = _Page(canvas, summary)
    page.header()
    page.sync()
    page.figures()
    page.arrivals()
    page.groups()
    page.conflicts()
    page.no_shows(bottom=MARGIN - 4)
    page.footer()
    canvas.showPage()


def write_pdf(summary: Summary, path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise CheckinError(f"{path}: cannot write there ({exc.strerror or exc})") from None
    try:
        with open(fd, "wb") as handle:
            canvas = Canvas(handle, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
            canvas.setTitle(f"{summary.event.name}: attendance on {summary.day}")
            canvas.setAuthor("checkin")
            draw(canvas, summary)
            canvas.save()
        os.replace(temp, path)
    except OSError as exc:
        raise CheckinError(f"{path}: cannot write the summary ({exc.strerror or exc}; "
                           "is it open in another program?)") from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
