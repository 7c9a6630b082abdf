"""The result card: one big answer per scan, readable at arm's length.

Every state has a colour AND its own icon shape AND words, so nobody depends on telling
green from red (deuteranopia, a sunlit desk, a monochrome screenshot): a tick in a circle
for "welcome", a triangle with "!" for the amber cases, an octagon with a cross for
"do not admit", a circled "?" for unknown codes. The card stays until the next scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from checkin.romanise import latin_spelling
from ui.format import country_name, format_day, format_time


@dataclass(frozen=True)
class Look:
    background: str
    foreground: str
    icon: str  # tick | warn | stop | question | search | idle | undo | calendar


LOOKS: dict[str, Look] = {
    "idle": Look("#37474f", "#ffffff", "idle"),
    "busy": Look("#37474f", "#ffffff", "idle"),
    "waiting": Look("#37474f", "#ffffff", "idle"),
    "ok": Look("#1b7a32", "#ffffff", "tick"),
    "already_checked_in": Look("#f2b000", "#111111", "warn"),
    "not_registered_today": Look("#f2b000", "#111111", "calendar"),
    "cancelled": Look("#b3001b", "#ffffff", "stop"),
    "unknown": Look("#b3001b", "#ffffff", "question"),
    "invalid_signature": Look("#b3001b", "#ffffff", "stop"),
    "malformed": Look("#1f5fa8", "#ffffff", "search"),
    "found": Look("#1f5fa8", "#ffffff", "search"),
    "found_checked_in": Look("#1f5fa8", "#ffffff", "search"),
    "searching": Look("#1f5fa8", "#ffffff", "search"),
    "matches": Look("#1f5fa8", "#ffffff", "search"),
    "no_match": Look("#1f5fa8", "#ffffff", "question"),
    "undone": Look("#5d6b78", "#ffffff", "undo"),
    "created": Look("#1b7a32", "#ffffff", "tick"),
    "saved": Look("#1f5fa8", "#ffffff", "tick"),
    "error": Look("#b3001b", "#ffffff", "stop"),
    "open_failed": Look("#b3001b", "#ffffff", "stop"),
    "not_admitted": Look("#b3001b", "#ffffff", "stop"),
}


class VerdictIcon(QWidget):
    """A shape per state, painted (no font or image file can go missing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shape = "idle"
        self._fg = QColor("#ffffff")
        self.setFixedSize(132, 132)

    def set_shape(self, shape: str, foreground: str) -> None:
        self._shape, self._fg = shape, QColor(foreground)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.width(), self.height())  # the card sets a fixed size by its scale

    def paintEvent(self, event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = min(self.width(), self.height())
        m = s * 0.06
        r = QRectF(m, m, s - 2 * m, s - 2 * m)
        pen = QPen(self._fg, s * 0.08, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        c = r.center()
        w = r.width()
        shape = self._shape
        if shape == "tick":
            p.drawEllipse(r)
            path = QPainterPath(QPointF(c.x() - w * 0.24, c.y() + w * 0.02))
            path.lineTo(c.x() - w * 0.06, c.y() + w * 0.2)
            path.lineTo(c.x() + w * 0.26, c.y() - w * 0.18)
            p.drawPath(path)
        elif shape in ("warn", "calendar"):
            tri = QPolygonF([QPointF(c.x(), r.top() + w * 0.04),
                             QPointF(r.right(), r.bottom() - w * 0.06),
                             QPointF(r.left(), r.bottom() - w * 0.06)])
            p.drawPolygon(tri)
            if shape == "warn":
                p.drawLine(QPointF(c.x(), c.y() - w * 0.12), QPointF(c.x(), c.y() + w * 0.14))
                p.drawPoint(QPointF(c.x(), c.y() + w * 0.3))
            else:  # a small calendar sheet inside the triangle: "not today"
                box = QRectF(c.x() - w * 0.16, c.y() - w * 0.06, w * 0.32, w * 0.3)
                thin = QPen(pen)
                thin.setWidthF(s * 0.05)
                p.setPen(thin)
                p.drawRect(box)
                p.drawLine(QPointF(box.left(), box.top() + w * 0.09),
                           QPointF(box.right(), box.top() + w * 0.09))
        elif shape == "stop":
            pts = []
            import math
            for i in range(8):
                a = math.radians(22.5 + 45 * i)
                pts.append(QPointF(c.x() + w / 2 * math.cos(a), c.y() + w / 2 * math.sin(a)))
            p.drawPolygon(QPolygonF(pts))
            d = w * 0.2
            p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
            p.drawLine(QPointF(c.x() + d, c.y() - d), QPointF(c.x() - d, c.y() + d))
        elif shape == "question":
            p.drawEllipse(r)
            path = QPainterPath()
            path.arcMoveTo(QRectF(c.x() - w * 0.17, c.y() - w * 0.3, w * 0.34, w * 0.3), 160)
            path.arcTo(QRectF(c.x() - w * 0.17, c.y() - w * 0.3, w * 0.34, w * 0.3), 160, -250)
            path.lineTo(c.x(), c.y() + w * 0.1)
            p.drawPath(path)
            p.drawPoint(QPointF(c.x(), c.y() + w * 0.27))
        elif shape == "search":
            lens = QRectF(r.left() + w * 0.08, r.top() + w * 0.08, w * 0.55, w * 0.55)
            p.drawEllipse(lens)
            p.drawLine(QPointF(lens.right() - w * 0.06, lens.bottom() - w * 0.06),
                       QPointF(r.right() - w * 0.06, r.bottom() - w * 0.06))
        elif shape == "undo":
            p.drawArc(r.adjusted(w * 0.12, w * 0.12, -w * 0.12, -w * 0.12), 90 * 16, 270 * 16)
            tip = QPointF(c.x(), r.top() + w * 0.12)
            p.drawLine(tip, QPointF(tip.x() - w * 0.14, tip.y() - w * 0.1))
            p.drawLine(tip, QPointF(tip.x() - w * 0.14, tip.y() + w * 0.1))
        else:  # idle: a scanner frame (four corners)
            k = w * 0.22
            for x, y, dx, dy in ((r.left(), r.top(), 1, 1), (r.right(), r.top(), -1, 1),
                                 (r.left(), r.bottom(), 1, -1), (r.right(), r.bottom(), -1, -1)):
                p.drawLine(QPointF(x, y), QPointF(x + dx * k, y))
                p.drawLine(QPointF(x, y), QPointF(x, y + dy * k))
            p.drawLine(QPointF(r.left() + w * 0.12, c.y()), QPointF(r.right() - w * 0.12, c.y()))
        p.end()


def _label(point_size: int, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel()
    font = QFont()
    font.setPointSize(point_size)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
    # Left in every script: an Arabic or Hebrew organisation would otherwise sit at the
    # card's far right edge, apart from the name it belongs to (Qt aligns RTL text right).
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute
                       | Qt.AlignmentFlag.AlignVCenter)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    # The card sizes its text itself (ResultCard._fit): a label never asks for more
    # width than the card has, so a long word cannot push the window past the screen.
    label.setMinimumWidth(1)
    return label


# The card's look at scale 1 (a 1280x800 window): point sizes, the icon, margins. The card
# scales all of it by the space it has (ResultCard._fit).
ICON_PX = 132
MARGIN_X, MARGIN_Y, SPACING = 28, 24, 6
# label -> (point size at scale 1, smallest share of it, most lines before shrinking)
TEXT_STYLE: dict[str, tuple[int, float, int]] = {
    "headline": (34, 0.3, 3), "detail": (16, 0.55, 8), "name": (40, 0.3, 2),
    "latin": (22, 0.45, 2), "organisation": (22, 0.45, 2), "country": (20, 0.5, 2),
    "role": (18, 0.5, 1), "vip": (18, 0.5, 1), "notes": (16, 0.6, 4),
}
# The card's size at scale 1; a larger card (a 1920x1080 or 4K screen) grows its text up
# to MAX_SCALE, a smaller one (1024x600) shrinks it until everything fits.
REFERENCE_SIZE = (760, 520)
MAX_SCALE, MIN_SCALE = 2.5, 0.3
# Width the style sheet adds beside a label's text (border + padding).
BOXED = {"role": 26, "vip": 26, "notes": 16}


class ResultCard(QFrame):
    """Shows one state: `show_state(kind, attendee=None, detail="", previous=None)`.

    Lays itself out by the space it has: every text is drawn whole (wrapped, and
    shrunk when wrapping is not enough), from a 1024x600 screen to 4K; on a large card
    the text grows. `scale` is the factor in use (1 = the sizes in TEXT_STYLE)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultCard")
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(300, 200)
        self.kind = "idle"
        self.attendee: Any = None
        self.scale = 1.0
        self._detail = ""
        self._previous: Any = None
        self._notes_full = ""

        self.icon = VerdictIcon()
        self.headline = _label(34, bold=True)
        self.headline.setObjectName("headline")
        self.detail = _label(16)
        self.detail.setObjectName("detail")
        self._head = QVBoxLayout()
        self._head.addWidget(self.headline)
        self._head.addWidget(self.detail)
        self._head.addStretch(1)
        self._top = QHBoxLayout()
        self._top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self._top.addSpacing(16)
        self._top.addLayout(self._head, 1)

        self.vip = _label(18, bold=True, wrap=False)
        self.vip.setObjectName("vip")
        self.name = _label(40, bold=True)
        self.name.setObjectName("name")
        self.latin = _label(22)  # the Latin spelling of a name in another script
        self.latin.setObjectName("latin")
        self.organisation = _label(22)
        self.organisation.setObjectName("organisation")
        self.country = _label(20)
        self.country.setObjectName("country")
        self.role = _label(18, bold=True, wrap=False)
        self.role.setObjectName("role")
        self.notes = _label(16)
        self.notes.setObjectName("notes")
        for label in (self.vip, self.role):  # boxed words: as wide as their text
            label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Minimum)

        self._roles = QHBoxLayout()
        self._roles.addWidget(self.role)
        self._roles.addSpacing(12)
        self._roles.addWidget(self.vip)
        self._roles.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN_X, MARGIN_Y, MARGIN_X, MARGIN_Y)
        layout.setSpacing(SPACING)
        layout.addLayout(self._top)
        layout.addSpacing(12)
        layout.addWidget(self.name)
        layout.addWidget(self.latin)
        layout.addWidget(self.organisation)
        layout.addWidget(self.country)
        layout.addLayout(self._roles)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        self._layout = layout
        self.show_state("idle")

    # -- state ----------------------------------------------------------------------------

    def show_state(self, kind: str, attendee: Any = None, detail: str = "",
                   previous: Any = None) -> None:
        self.kind = kind if kind in LOOKS else "error"
        self.attendee = attendee
        self._detail = detail
        self._previous = previous
        self._apply()

    def _apply(self) -> None:
        look = LOOKS[self.kind]
        fg = look.foreground
        self.setStyleSheet(
            f"#resultCard {{ background: {look.background}; border-radius: 14px; }}"
            f"#resultCard QLabel {{ color: {fg}; background: transparent; }}"
            f"#resultCard QLabel#role, #resultCard QLabel#vip {{ border: 3px solid {fg};"
            " border-radius: 8px; padding: 2px 10px; }"
            f"#resultCard QLabel#notes {{ border-left: 6px solid {fg}; padding-left: 10px; }}"
        )
        self.icon.set_shape(look.icon, fg)
        self.headline.setText(self.headline_text(self.kind))
        self.detail.setText(self._detail_text())
        self.detail.setVisible(bool(self.detail.text()))
        a = self.attendee
        self.name.setVisible(a is not None)
        for w in (self.latin, self.organisation, self.country, self.role, self.vip,
                  self.notes):
            w.setVisible(False)
        self._notes_full = ""
        if a is not None:
            title = getattr(a, "title", "")
            name = a.display_name or a.id
            self.name.setText(f"{title} {name}".strip() if title else name)
            self._set(self.latin, latin_spelling(a))
            self._set(self.organisation, a.organisation)
            self._set(self.country, country_name(a.country))
            # a VIP whose role is VIP shows one label, not "VIP" and "★ VIP"
            role_vip = a.role == "vip"
            self._set(self.role, self.tr("★ VIP") if role_vip else self.role_text(a.role))
            self._set(self.vip, self.tr("★ VIP") if is_vip(a) and not role_vip else "")
            self._set(self.notes,
                      self.tr("Note: %1").replace("%1", a.notes) if a.notes else "")
            self._notes_full = self.notes.text()
        self._fit()

    def _labels(self) -> dict[str, QLabel]:
        return {key: getattr(self, key) for key in TEXT_STYLE}

    def _fit(self) -> None:
        """Scale the card's text and icon to its size: the largest scale (up to MAX_SCALE)
        at which every label is drawn whole within the card, each label first wrapped,
        then shrunk to its TEXT_STYLE share; below MIN_SCALE text shrinks on regardless."""
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0:
            return
        top = min(MAX_SCALE, max(1.0, min(width / REFERENCE_SIZE[0],
                                          height / REFERENCE_SIZE[1])))
        scale = top
        while True:
            self._set_scale(scale, width)
            if self._layout.heightForWidth(width) <= height or scale <= MIN_SCALE:
                break
            scale = max(MIN_SCALE, scale * 0.9)
        self.scale = scale

    def _set_scale(self, scale: float, width: int) -> None:
        mx, my = round(MARGIN_X * min(scale, 1.5)), round(MARGIN_Y * min(scale, 1.5))
        self._layout.setContentsMargins(mx, my, mx, my)
        self._layout.setSpacing(max(2, round(SPACING * scale)))
        inner = width - 2 * mx
        icon = max(40, min(round(ICON_PX * scale), inner // 4))
        self.icon.setFixedSize(icon, icon)
        gap = max(6, round(16 * scale))
        item = self._top.itemAt(1)
        spacer = item.spacerItem() if item is not None else None
        if spacer is not None:
            spacer.changeSize(gap, 1)
        for key, label in self._labels().items():
            points, share, lines = TEXT_STYLE[key]
            room = (inner - icon - gap if key in ("headline", "detail") else inner) - BOXED.get(
                key, 0)
            if key == "vip" and self.role.isVisibleTo(self):
                room -= self.role.sizeHint().width() + 12
            largest = max(6.0, points * scale)
            smallest = max(6.0, largest * share)
            room = max(1, room)
            text = self._notes_full if key == "notes" else label.text()
            size = largest
            font = label.font()
            while True:
                font.setPointSizeF(size)
                if size <= smallest or _fits(font, room, lines, text, label.wordWrap()):
                    break
                size = max(smallest, size * 0.92)
            if key == "notes":
                label.setText(_shortened(font, room, lines, text))
                label.setToolTip(text if label.text() != text else "")
            elif not _fits(font, room, lines, text, label.wordWrap()):
                # still too wide at its smallest share (a very long word): smaller yet,
                # down to 6 pt, rather than cut
                while size > 6 and not _fits(font, room, 99, text, label.wordWrap()):
                    size = max(6.0, size * 0.9)
                    font.setPointSizeF(size)
            if font != label.font():
                label.setFont(font)
        self._invalidate()

    def _invalidate(self) -> None:
        # Each nested layout caches its height for a width; a font change reaches only the
        # outer one (Qt clears the inner ones when it next lays out, too late for _fit).
        for layout in (self._head, self._top, self._roles, self._layout):
            layout.invalidate()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def headline_text(self, kind: str) -> str:
        return {
            "idle": self.tr("Ready: scan a code or type a name"),
            "busy": self.tr("Opening the event…"),
            "waiting": self.tr("One moment…"),
            "ok": self.tr("WELCOME: checked in"),
            "already_checked_in": self.tr("ALREADY CHECKED IN"),
            "not_registered_today": self.tr("NOT REGISTERED FOR TODAY"),
            "cancelled": self.tr("CANCELLED: do not admit"),
            "unknown": self.tr("UNKNOWN CODE"),
            "invalid_signature": self.tr("CODE NOT VALID"),
            "malformed": self.tr("Not a code: searching"),
            "found": self.tr("Found: press Enter to check in"),
            "found_checked_in": self.tr("Found: already checked in"),
            "searching": self.tr("Searching…"),
            "matches": self.tr("Choose the person"),
            "no_match": self.tr("No one found"),
            "undone": self.tr("Check-in undone"),
            "created": self.tr("WALK-IN REGISTERED: checked in"),
            "saved": self.tr("Details saved"),
            "error": self.tr("Something went wrong"),
            "open_failed": self.tr("The event database cannot be opened"),
            "not_admitted": self.tr("NOT CHECKED IN: scan again"),
        }[kind]

    def verdict_detail(self, kind: str, message: str, attendee: Any = None) -> str:
        """The engine's one-line reason, in the interface language.

        The core words its verdicts in English (the CLI and the logs read them); the card
        says the same in the operator's language, keyed by verdict and the engine's known
        reasons, with the facts (day, key id, count) taken from the engine's message. A
        reason this table does not know yet is shown as the engine wrote it."""
        if kind == "cancelled":
            if "revoked" in message:
                return self.tr("This confirmation was revoked; a newer one replaces it.")
            return self.tr("The registration is cancelled.")
        if kind == "not_registered_today":
            days = [d for d in getattr(attendee, "days", None) or [] if d]
            match = re.search(r"(\d{4}-\d{2}-\d{2})", message)
            today = format_day(match.group(1)) if match else ""
            if days:
                text = self.tr("Not registered for today (%1). Registered for: %2.").replace(
                    "%1", today).replace("%2", ", ".join(format_day(d) for d in days))
            else:
                text = self.tr("Not registered for today (%1).").replace("%1", today)
            return text + "\n" + self.tr(
                "Admit today anyway (a day ticket sold here, the organiser's decision): "
                "Ctrl+Return, which asks why.")
        if kind == "unknown":
            if message.startswith("Valid confirmation"):
                return self.tr("A valid confirmation, but no one in this attendee list has it.")
            if message.startswith("No attendee with id"):
                return self.tr("No attendee with this id.")
            return self.tr("No attendee has this code.")
        if kind == "invalid_signature":
            # what comes next, at once: the person is found by name, as anyone without a code
            step = "\n" + self.tr("Ask for the name and an ID, then type the name: the "
                                  "field is ready.")
            key = re.search(r"signed with key (\S+), which (was revoked|this event)", message)
            if key and key.group(2) == "was revoked":
                return self.tr("This confirmation is signed with key %1, which was revoked: "
                               "a newer confirmation replaces it.").replace(
                                   "%1", key.group(1)) + step
            if key:
                return self.tr("This confirmation is signed with key %1, which this event "
                               "does not list (another event, or a key not received yet)."
                               ).replace("%1", key.group(1)) + step
            if "does not verify" in message:
                return self.tr("The code does not check out. Most likely the screen or the "
                               "printout is damaged (a crack, a fold, a smudge); rarely, the "
                               "code was forged.") + step
            return self.tr("The code is incomplete or unreadable: most likely a damaged "
                           "screen or printout.") + step
        return message

    def role_text(self, role: str) -> str:
        names = {
            "delegate": self.tr("Delegate"), "speaker": self.tr("Speaker"),
            "press": self.tr("Press"), "staff": self.tr("Staff"),
            "exhibitor": self.tr("Exhibitor"), "vip": self.tr("VIP"),
            "organiser": self.tr("Organiser"), "student": self.tr("Student"),
        }
        return names.get(role, role.capitalize())

    def _detail_text(self) -> str:
        prev = self._previous
        if self.kind == "already_checked_in" and prev is not None:
            return self.admission_text(prev) + (f"\n{self._detail}" if self._detail else "")
        if self.kind == "open_failed":
            return self._detail + "\n\n" + self.tr(
                "Start the station with the event's database: checkin-station --db FILE "
                "(or set CHECKIN_DB). No event yet? checkin import FILE makes one.")
        if self.kind == "waiting":
            return self.tr("The answer takes longer than usual: the event database is busy "
                           "(another program may be writing to it). Please do not scan again.")
        if self.kind == "idle" and not self._detail:
            return self.tr("Scanner: just scan, the answer appears here.\n"
                           "Name: type a few letters, ↑↓ to choose, Enter checks in.\n"
                           "Nobody found: Ctrl+N registers a walk-in.")
        return self._detail

    def admission_text(self, prev: Any) -> str:
        """'Checked in at 09:12, Desk 3, by Jonas'."""
        text = self.tr("Checked in at %1, %2").replace("%1", format_time(prev.time))
        text = text.replace("%2", prev.station or "?")
        if prev.operator:
            text += ", " + self.tr("by %1").replace("%1", prev.operator)
        return text

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._apply()
        super().changeEvent(event)


def _fits(font: QFont, width: int, lines: int, text: str, wrap: bool = True) -> bool:
    """Whether text in font is drawn within width in at most `lines` lines (whole words)."""
    metrics = QFontMetrics(font)
    if not wrap:
        return metrics.horizontalAdvance(text) <= width and lines >= 1
    drawn = metrics.boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap),
                                 text)
    return drawn.width() <= width and drawn.height() <= metrics.lineSpacing() * lines + 2


def _shortened(font: QFont, width: int, lines: int, text: str) -> str:
    """text, or as much of its start as fits in `lines` lines, then "…" (a novel in the
    notes: the card shows its start, the tooltip all of it)."""
    if _fits(font, width, lines, text):
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if _fits(font, width, lines, text[:mid].rstrip() + "…"):
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def is_vip(attendee: Any) -> bool:
    extra = getattr(attendee, "extra", {}) or {}
    return attendee.role == "vip" or bool(extra.get("vip"))
