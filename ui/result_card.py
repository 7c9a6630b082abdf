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
        return QSize(132, 132)

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
    return label


class ResultCard(QFrame):
    """Shows one state: `show_state(kind, attendee=None, detail="", previous=None)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultCard")
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(520, 360)
        self.kind = "idle"
        self.attendee: Any = None
        self._detail = ""
        self._previous: Any = None
        self._notes_full = ""

        self.icon = VerdictIcon()
        self.headline = _label(34, bold=True)
        self.headline.setObjectName("headline")
        self.detail = _label(16)
        self.detail.setObjectName("detail")
        head = QVBoxLayout()
        head.addWidget(self.headline)
        head.addWidget(self.detail)
        head.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(16)
        top.addLayout(head, 1)

        self.vip = _label(18, bold=True, wrap=False)
        self.vip.setObjectName("vip")
        self.name = _label(40, bold=True)
        self.name.setObjectName("name")
        self.organisation = _label(22)
        self.country = _label(20)
        self.role = _label(18, bold=True, wrap=False)
        self.role.setObjectName("role")
        self.notes = _label(16)
        self.notes.setObjectName("notes")

        roles = QHBoxLayout()
        roles.addWidget(self.role)
        roles.addSpacing(12)
        roles.addWidget(self.vip)
        roles.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.addLayout(top)
        layout.addSpacing(12)
        layout.addWidget(self.name)
        layout.addWidget(self.organisation)
        layout.addWidget(self.country)
        layout.addLayout(roles)
        layout.addWidget(self.notes)
        layout.addStretch(1)
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
        for w in (self.organisation, self.country, self.role, self.vip, self.notes):
            w.setVisible(False)
        if a is None:
            return
        title = getattr(a, "title", "")
        name = a.display_name or a.id
        self.name.setText(f"{title} {name}".strip() if title else name)
        self._set(self.organisation, a.organisation)
        self._set(self.country, country_name(a.country))
        self._set(self.role, self.role_text(a.role))
        self._set(self.vip, self.tr("★ VIP") if is_vip(a) else "")
        self._set(self.notes, self.tr("Note: %1").replace("%1", a.notes) if a.notes else "")
        self._notes_full = self.notes.text()
        self._fit()

    # (label, largest pt, smallest pt, most lines): a long name, organisation or note
    # shrinks to fit instead of being cut off or drawn over its neighbours
    FIT = (("name", 40, 20, 2), ("organisation", 22, 14, 2), ("notes", 16, 11, 4))

    def _fit(self) -> None:
        width = self.contentsRect().width() - 56 - 20  # the layout's margins, the notes' bar
        if width <= 0:
            return
        self.notes.setText(self._notes_full)  # a wider card may show more of it again
        self.notes.setToolTip("")
        for attr, largest, smallest, lines in self.FIT:
            label: QLabel = getattr(self, attr)
            font = label.font()
            fits = False
            for size in range(largest, smallest - 1, -1):
                font.setPointSize(size)
                fits = _fits(font, width, lines, label.text())
                if fits:
                    break
            label.setFont(font)
            if not fits and attr == "notes":  # a novel in the notes: its start, then "…"
                text = label.text()
                low, high = 0, len(text)
                while low < high:
                    mid = (low + high + 1) // 2
                    if _fits(font, width, lines, text[:mid] + "…"):
                        low = mid
                    else:
                        high = mid - 1
                label.setText(text[:low].rstrip() + "…")
                label.setToolTip(text)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.attendee is not None:
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
            "invalid_signature": self.tr("FORGED OR ALTERED CODE"),
            "malformed": self.tr("Not a code: searching"),
            "found": self.tr("Found: press Enter to check in"),
            "found_checked_in": self.tr("Found: already checked in"),
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
                return self.tr("Not registered for today (%1). Registered for: %2.").replace(
                    "%1", today).replace("%2", ", ".join(format_day(d) for d in days))
            return self.tr("Not registered for today (%1).").replace("%1", today)
        if kind == "unknown":
            if message.startswith("Valid confirmation"):
                return self.tr("A valid confirmation, but no one in this attendee list has it.")
            if message.startswith("No attendee with id"):
                return self.tr("No attendee with this id.")
            return self.tr("No attendee has this code.")
        if kind == "invalid_signature":
            key = re.search(r"signed with key (\S+), which (was revoked|this event)", message)
            if key and key.group(2) == "was revoked":
                return self.tr("This confirmation is signed with key %1, which was revoked: "
                               "a newer confirmation replaces it.").replace("%1", key.group(1))
            if key:
                return self.tr("This confirmation is signed with key %1, which this event "
                               "does not list (another event, or a key not received yet)."
                               ).replace("%1", key.group(1))
            if "does not verify" in message:
                return self.tr("This confirmation does not verify: it is forged or damaged.")
            return self.tr("This looks like a confirmation but is damaged or altered.")
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


def _fits(font: QFont, width: int, lines: int, text: str) -> bool:
    metrics = QFontMetrics(font)
    drawn = metrics.boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap),
                                 text)
    return drawn.height() <= metrics.lineSpacing() * lines + 2


def is_vip(attendee: Any) -> bool:
    extra = getattr(attendee, "extra", {}) or {}
    return attendee.role == "vip" or bool(extra.get("vip"))
