"""Badge layouts: TOML data files (assets/layouts/*.toml, overridable per user).

A layout file describes a page, where badges sit on it, and the regions of one badge:

    description = "A6 portrait badge (105 x 148 mm)"
    descriptions = { de = "Namensschild A6 hoch (105 x 148 mm)" }   # optional, per language
    badge = "a7"              # optional: take badge size and regions from another layout
    [page]
    width = "105mm"           # lengths: "12mm", "4in", "10pt" or a number of points
    height = "148mm"
    [badge_size]              # optional, defaults to the page size
    width = "105mm"
    height = "148mm"
    [sheet]                   # optional: a grid of badges per page
    columns = 2
    rows = 4
    left = "0mm"              # offset of the first badge from the top-left corner
    top = "0.5mm"
    gap_x = "0mm"
    gap_y = "0mm"
    cut_marks = true
    [[face]]                  # optional: several faces of one badge (fold-over)
    x = "0mm"
    y = "0mm"
    side = 1                  # 2 = the back of the sheet (duplex; slots mirrored)
    [[region]]
    field = "primary_name"    # see FIELDS
    box = ["6mm", "30mm", "93mm", "22mm"]  # x, y from the badge's top-left, width, height
    weight = "bold"           # regular | bold
    max_size = 40             # points; auto-fit shrinks down to min_size, then wraps
    min_size = 18
    max_lines = 2
    align = "center"          # left | center | right
    valign = "middle"         # top | middle | bottom
    colour = "#000000"
    rotate = 0                # 0 or 180 (text repeated upside down for flipped badges)
    text = ""                 # for field = "static"
    [roles.speaker]           # optional: this layout's own role colour / label
    label = "REFERENT"

Files in checkin.paths.config_dir()/layouts override shipped ones of the same name
(the file stem). A broken file raises CheckinError with a one-line message naming it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin import paths, resources
from checkin.errors import CheckinError

FIELDS = (
    "event",           # the event name (render_pdf's event_name)
    "title",           # "Prof. Dr."
    "primary_name",    # given name; or the whole name for badge names / family-first names
    "secondary_name",  # family name (empty when the primary line holds the whole name)
    "full_name",       # the whole name in the person's order (confirmation pages)
    "organisation",
    "country",         # English short name from the ISO code
    "role",            # the role label as text, no band
    "role_band",       # a band in the role's colour with the role label on it
    "qr",              # the attendee's QR token
    "static",          # fixed text from the region's `text`
    "rule",            # a thin coloured line (decoration)
)
# A badge hangs on a delegate's chest all day: it never shows how to reach them. A region
# asking for one of these (or any field whose name holds one) is refused with its own
# line rather than the list of FIELDS, so that whoever writes the layout learns why.
CONTACT_WORDS = ("email", "e_mail", "mail", "phone", "mobile", "tel", "fax", "address",
                 "street", "postcode", "postal", "zip", "city")
_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*$")
_UNITS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, None: 1.0}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def is_contact_field(name: str) -> bool:
    """Whether a field name asks for an e-mail address, phone number or postal address."""
    words = re.split(r"[^a-z]+", name.lower().replace("e-mail", "email"))
    return any(word in CONTACT_WORDS or word.startswith(("email", "phone", "address"))
               for word in words if word)


def length(value: object, what: str) -> float:
    """A length in points from "12mm", "4in", "10pt" or a number (points)."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not a length")
    if isinstance(value, int | float):
        return float(value)
    match = _LENGTH.match(str(value))
    if not match:
        raise ValueError(f"{what}: {value!r} is not a length like '12mm', '4in' or '10pt'")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Region:
    field: str
    x: float  # points from the badge's left edge
    y: float  # points from the badge's top edge
    width: float
    height: float
    weight: str = "bold"
    max_size: float = 12.0
    min_size: float = 6.0
    max_lines: int = 2
    align: str = "center"
    valign: str = "middle"
    colour: str = "#000000"
    rotate: int = 0
    text: str = ""
    padding: float = 0.0  # inside role bands


@dataclass(frozen=True)
class Face:
    x: float  # offset of the badge face within its slot, from the top-left
    y: float
    rotate: int = 0
    side: int = 1  # 2: on the back of the sheet (duplex printing)


@dataclass(frozen=True)
class Sheet:
    columns: int = 1
    rows: int = 1
    left: float = 0.0
    top: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    cut_marks: bool = False

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    page_width: float
    page_height: float
    badge_width: float
    badge_height: float
    regions: tuple[Region, ...]
    sheet: Sheet = field(default_factory=Sheet)
    faces: tuple[Face, ...] = (Face(0.0, 0.0),)
    fold_line: bool = False
    source: Path | None = None
    roles: tuple[tuple[str, str, str], ...] = ()  # (role, colour, label) overrides
    # the description in other languages: (language code, text), from [descriptions]
    descriptions: tuple[tuple[str, str], ...] = ()

    def describe(self, language: str = "") -> str:
        """The description in `language` (a code such as "de") if the file has it, else
        the English one."""
        return dict(self.descriptions).get(language, self.description)

    @property
    def size_text(self) -> str:
        def mm(v: float) -> str:
            return f"{v * 25.4 / 72:.0f}"
        return f"{mm(self.page_width)} x {mm(self.page_height)} mm"

    @property
    def badges_per_page(self) -> int:
        return self.sheet.per_page

    @property
    def duplex(self) -> bool:
        """Every sheet is followed by a page for its back (print double-sided)."""
        return any(f.side == 2 for f in self.faces)


def shipped_dir() -> Path:
    return resources.assets() / "layouts"


def user_dir() -> Path:
    return paths.config_dir() / "layouts"


def _files() -> dict[str, Path]:
    """Layout name -> file; user files override shipped ones of the same name."""
    found: dict[str, Path] = {}
    for folder in (shipped_dir(), user_dir()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = path
    return found


def _str(data: dict[str, Any], key: str, default: str, what: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ValueError(f"{what}.{key} must be text")
    return value


def _num(data: dict[str, Any], key: str, default: float, what: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what}.{key} must be a number")
    return float(value)


def _region(data: object, index: int) -> Region:
    what = f"region {index + 1}"
    if not isinstance(data, dict):
        raise ValueError(f"{what} is not a table")
    unknown = set(data) - {"field", "box", "weight", "max_size", "min_size", "max_lines",
                           "align", "valign", "colour", "rotate", "text", "padding"}
    if unknown:
        raise ValueError(f"{what}: unknown key {sorted(unknown)[0]!r}")
    kind = data.get("field")
    if isinstance(kind, str) and is_contact_field(kind):
        raise ValueError(f"{what}: field {kind!r} is contact data (e-mail, phone or address), "
                         "which a badge never shows (docs/privacy.md)")
    if kind not in FIELDS:
        raise ValueError(f"{what}: field must be one of {', '.join(FIELDS)} (got {kind!r})")
    what = f"region {index + 1} ({kind})"
    box = data.get("box")
    if not isinstance(box, list) or len(box) != 4:
        raise ValueError(f"{what}: box must be [x, y, width, height]")
    x, y, w, h = (length(v, f"{what} box") for v in box)
    if w <= 0 or h <= 0:
        raise ValueError(f"{what}: box width and height must be positive")
    weight = _str(data, "weight", "bold", what)
    if weight not in ("regular", "bold"):
        raise ValueError(f"{what}: weight must be regular or bold")
    align = _str(data, "align", "center", what)
    valign = _str(data, "valign", "middle", what)
    if align not in ("left", "center", "right") or valign not in ("top", "middle", "bottom"):
        raise ValueError(f"{what}: align must be left/center/right, valign top/middle/bottom")
    colour = _str(data, "colour", "#000000", what)
    if not _COLOUR.match(colour):
        raise ValueError(f"{what}: colour must look like #1a2b3c")
    rotate = data.get("rotate", 0)
    if rotate not in (0, 180):
        raise ValueError(f"{what}: rotate must be 0 or 180")
    max_size = _num(data, "max_size", 12, what)
    min_size = _num(data, "min_size", min(6.0, max_size), what)
    if not 0 < min_size <= max_size:
        raise ValueError(f"{what}: need 0 < min_size <= max_size")
    max_lines = data.get("max_lines", 2)
    if max_lines not in (1, 2):
        raise ValueError(f"{what}: max_lines must be 1 or 2")
    return Region(kind, x, y, w, h, weight, max_size, min_size, int(max_lines), align, valign,
                  colour, int(rotate), _str(data, "text", "", what),
                  length(data.get("padding", 0), f"{what} padding"))


def _parse(name: str, path: Path, stack: tuple[str, ...]) -> Layout:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    known = {"name", "description", "descriptions", "badge", "page", "badge_size", "sheet",
             "face", "region", "fold_line", "roles"}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    page = data.get("page")
    if not isinstance(page, dict):
        raise ValueError("missing [page] with width and height")
    page_w = length(page.get("width"), "page.width")
    page_h = length(page.get("height"), "page.height")
    base: Layout | None = None
    if "badge" in data:
        other = data["badge"]
        if not isinstance(other, str):
            raise ValueError("badge must be the name of another layout")
        if other in stack:
            raise ValueError(f"badge = {other!r} refers back to itself")
        base = _load(other, (*stack, name))
    size = data.get("badge_size", {})
    if not isinstance(size, dict):
        raise ValueError("[badge_size] must be a table")
    default_w, default_h = (base.badge_width, base.badge_height) if base else (page_w, page_h)
    badge_w = length(size.get("width", default_w), "badge_size.width")
    badge_h = length(size.get("height", default_h), "badge_size.height")
    raw_regions = data.get("region", [])
    if not isinstance(raw_regions, list):
        raise ValueError("region must be an array of tables ([[region]])")
    regions = tuple(_region(r, i) for i, r in enumerate(raw_regions))
    if base is not None and not regions:
        regions = base.regions
    if not regions:
        raise ValueError("no [[region]] and no badge = \"other layout\"")
    sheet_data = data.get("sheet", {})
    if not isinstance(sheet_data, dict):
        raise ValueError("[sheet] must be a table")
    columns, rows = sheet_data.get("columns", 1), sheet_data.get("rows", 1)
    if not (isinstance(columns, int) and isinstance(rows, int) and columns > 0 and rows > 0):
        raise ValueError("sheet.columns and sheet.rows must be positive whole numbers")
    sheet = Sheet(columns, rows, length(sheet_data.get("left", 0), "sheet.left"),
                  length(sheet_data.get("top", 0), "sheet.top"),
                  length(sheet_data.get("gap_x", 0), "sheet.gap_x"),
                  length(sheet_data.get("gap_y", 0), "sheet.gap_y"),
                  bool(sheet_data.get("cut_marks", False)))
    raw_faces = data.get("face", [{"x": 0, "y": 0}])
    if not isinstance(raw_faces, list) or not raw_faces:
        raise ValueError("face must be an array of tables ([[face]])")
    faces = []
    for i, f in enumerate(raw_faces):
        if (not isinstance(f, dict) or f.get("rotate", 0) not in (0, 180)
                or f.get("side", 1) not in (1, 2)):
            raise ValueError(f"face {i + 1}: needs x, y, rotate 0 or 180, side 1 or 2")
        faces.append(Face(length(f.get("x", 0), f"face {i + 1} x"),
                          length(f.get("y", 0), f"face {i + 1} y"), int(f.get("rotate", 0)),
                          int(f.get("side", 1))))
    if not any(f.side == 1 for f in faces):
        raise ValueError("no face on side 1")
    span_w = max(f.x for f in faces) + badge_w
    span_h = max(f.y for f in faces) + badge_h
    need_w = sheet.left + sheet.columns * span_w + (sheet.columns - 1) * sheet.gap_x
    need_h = sheet.top + sheet.rows * span_h + (sheet.rows - 1) * sheet.gap_y
    if need_w > page_w + 0.5 or need_h > page_h + 0.5:
        raise ValueError("the badges do not fit on the page")
    for region in regions:
        if (region.x < -0.01 or region.y < -0.01 or region.x + region.width > badge_w + 0.5
                or region.y + region.height > badge_h + 0.5):
            raise ValueError(f"region {region.field} lies outside the badge")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ValueError("description must be text")
    translated = data.get("descriptions", {})
    if not isinstance(translated, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in translated.items()):
        raise ValueError("descriptions must be a table of language = text")
    return Layout(name, description, page_w, page_h, badge_w, badge_h, regions, sheet,
                  tuple(faces), bool(data.get("fold_line", False)), path,
                  _roles(data.get("roles", {}), base), tuple(sorted(translated.items())))


def _roles(data: object, base: Layout | None) -> tuple[tuple[str, str, str], ...]:
    """[roles.speaker] colour = "#D55E00", label = "REFERENT": per-layout overrides of
    assets/roles_colours.toml (another language's labels, a sponsor's colours)."""
    if not isinstance(data, dict):
        raise ValueError("[roles] must be a table of [roles.<role>] tables")
    found = dict((r[0], r) for r in base.roles) if base else {}
    for role, entry in data.items():
        if not isinstance(entry, dict) or set(entry) - {"colour", "label"}:
            raise ValueError(f"roles.{role}: only colour and label can be set")
        colour, label = entry.get("colour", ""), entry.get("label", "")
        if not isinstance(colour, str) or not isinstance(label, str):
            raise ValueError(f"roles.{role}: colour and label must be text")
        if colour and not _COLOUR.match(colour):
            raise ValueError(f"roles.{role}: colour must look like #1a2b3c")
        found[role] = (role, colour, label)
    return tuple(found.values())


def _load(name: str, stack: tuple[str, ...] = ()) -> Layout:
    path = _files().get(name)
    if path is None:
        raise CheckinError(f"no badge layout named {name!r} (see `checkin layouts`)")
    try:
        return _parse(name, path, stack)
    except ValueError as exc:
        raise CheckinError(f"{path}: {exc}") from None


def load_layout(name: str) -> Layout:
    """The layout called name (a user file overrides a shipped one of that name)."""
    return _load(name)


def list_layouts(errors: list[str] | None = None) -> list[Layout]:
    """Every available layout, sorted by name. A broken file raises CheckinError, or,
    when an errors list is given, is left out and its one-line message appended."""
    found = []
    for name in sorted(_files()):
        try:
            found.append(_load(name))
        except CheckinError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
    return found
