"""Badges as PDF (for printing) and PNG (for previews).

Public API (the print queue and the UI call these):

    render_pdf(attendees, layout, out, *, qr_text, event_name="") -> None
        attendees: Sequence[Attendee]; layout: Layout or a layout name;
        out: a Path or a binary file object. One badge per slot: single-badge
        layouts put one badge per page, sheet layouts fill a grid per page (with cut
        marks), fold-over layouts print every face of the badge on its page.
    render_png(attendee, layout, out_path, *, qr_text, dpi=150, event_name="") -> None
        one badge (its front face, without the sheet around it) as a PNG.
    load_layout(name) -> Layout;  list_layouts() -> list[Layout]   (from .layout)
    compose(attendee, layout, *, qr_text, event_name="") -> list[Item]
        what would be drawn on one badge face, with positions and fitted text (tests
        and the UI use it to check fit without rendering).

qr_text(attendee) gives the QR payload (the opaque signed token; checkin.tokens).

Text is shaped with HarfBuzz and drawn as glyph outlines (see shaping.py); each glyph
becomes one PDF form XObject per document, so a glyph used on 400 badges is stored once.
Outlines hold no text, so every person's line (name, title, organisation, country) also
gets an invisible text layer (text render mode 3) in its logical order, in any script:
a PDF viewer's search finds the names, copy and paste and pdftotext give them, and tests
read them. The layer's font is glyphless (an embedded TrueType font of one empty glyph,
Identity-H, one code per character used, a ToUnicode CMap back to the characters: the
way OCR layers are made), so no script needs a font of its own for it.
"""

from __future__ import annotations

import io
import itertools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from checkin import resources
from checkin.badges.fitting import Fitted, fit
from checkin.badges.layout import Face, Layout, Region, list_layouts, load_layout
from checkin.badges.qr import QrCode, encode
from checkin.badges.shaping import shape
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.text import clean_text, has_cjk

__all__ = ["QrText", "compose", "list_layouts", "load_layout", "render_pdf", "render_png"]

QrText = Callable[[Attendee], str]


@dataclass(frozen=True)
class TextItem:
    region: Region
    fitted: Fitted
    x: float  # box, points, bottom-left origin within the badge face
    y: float
    width: float
    height: float
    colour: str
    # (x of the line start, baseline y, advance width) per line
    lines: tuple[tuple[float, float, float], ...]


@dataclass(frozen=True)
class RectItem:
    x: float
    y: float
    width: float
    height: float
    colour: str
    rotate: int = 0


@dataclass(frozen=True)
class QrItem:
    x: float
    y: float
    size: float
    code: QrCode


Item = TextItem | RectItem | QrItem
_PERSONAL = frozenset({"title", "primary_name", "secondary_name", "full_name",
                       "organisation", "country"})
# Fields that get an invisible text layer (searchable PDF); the rest is decoration.
_SEARCHABLE = frozenset({"primary_name", "secondary_name", "full_name", "organisation",
                         "title", "country", "event"})
HIDDEN_ADVANCE = 500  # the glyphless font's width of every character (1/1000 em)


# -- content ---------------------------------------------------------------------------


@cache
def _roles() -> dict[str, dict[str, str]]:
    import tomllib

    path = resources.assets() / "roles_colours.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CheckinError(f"{path}: {exc}") from None
    return {k: {kk: str(vv) for kk, vv in v.items()} for k, v in data.items()
            if isinstance(v, dict)}


@lru_cache(maxsize=256)
def role_style(role: str, overrides: tuple[tuple[str, str, str], ...] = ()
               ) -> tuple[str, str, str]:
    """(band colour, text colour, label) for role; the text colour is black or white,
    whichever has the higher WCAG contrast ratio against the band. overrides are a
    layout's own (role, colour, label) entries ("" = keep the shared one)."""
    roles = _roles()
    entry = dict(roles.get(role, {}))
    for name, colour, label in overrides:
        if name == role:
            entry.update({k: v for k, v in (("colour", colour), ("label", label)) if v})
    colour = entry.get("colour") or roles.get("default", {}).get("colour", "#777777")
    label = entry.get("label") or clean_text(role).upper() or "DELEGATE"
    return colour, _contrast_text(colour), label


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _contrast_text(colour: str) -> str:
    return max(("#000000", "#FFFFFF"), key=lambda t: contrast_ratio(colour, t))


@cache
def _badge_country_names() -> dict[str, str]:
    """Badge names that replace pycountry's inverted forms (assets/country_names.toml)."""
    import tomllib

    path = resources.assets() / "country_names.toml"
    try:
        names = tomllib.loads(path.read_text(encoding="utf-8")).get("names", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {str(k).upper(): str(v) for k, v in names.items()}


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """English short name for an ISO 3166-1 code ("KR" -> "South Korea"); else the text."""
    code = clean_text(code)
    if not code:
        return ""
    override = _badge_country_names().get(code.upper())
    if override:
        return override
    import pycountry

    try:
        country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
        if country is None and len(code) == 3:
            country = pycountry.countries.get(alpha_3=code.upper())
    except (KeyError, LookupError):
        country = None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def name_lines(attendee: Attendee) -> tuple[str, str]:
    """(primary, secondary) name lines. Given name first and largest for given-first
    names; a badge name, or a family-first name (CJK, Vietnamese, Hungarian), is printed
    whole on the primary line in the person's own order."""
    given, family = clean_text(attendee.given_name), clean_text(attendee.family_name)
    badge_name = clean_text(attendee.badge_name)
    if badge_name:
        # "Karl-Theodor Freiherr von und zu Guttenberg" with that family name keeps the
        # hierarchy: the called name large, the family name below it.
        if (attendee.name_order != "family_first" and family and badge_name != family
                and badge_name.endswith(" " + family)):
            return badge_name[: -len(family)].strip(), family
        return badge_name, ""
    if attendee.name_order == "family_first":
        sep = "" if has_cjk(family) and has_cjk(given) else " "
        return sep.join(p for p in (family, given) if p), ""
    if not given:
        return family, ""
    return given, family


def _field_text(kind: str, attendee: Attendee, event_name: str, region: Region,
                layout: Layout) -> str:
    if kind == "event":
        return clean_text(event_name)
    if kind == "title":
        return clean_text(attendee.title)
    if kind == "primary_name":
        return name_lines(attendee)[0]
    if kind == "secondary_name":
        return name_lines(attendee)[1]
    if kind == "full_name":
        primary, secondary = name_lines(attendee)
        return f"{primary} {secondary}".strip()
    if kind == "organisation":
        return clean_text(attendee.organisation)
    if kind == "country":
        if not attendee.country:
            # A spelling the import did not recognise (Kosovo has no ISO code) is kept
            # in extra["country"]: the delegate's own word beats a blank.
            raw = attendee.extra.get("country") if isinstance(attendee.extra, dict) else None
            return clean_text(raw)[:60] if isinstance(raw, str) else ""
        return country_name(attendee.country)
    if kind in ("role", "role_band"):
        return role_style(attendee.role, layout.roles)[2]
    if kind == "static":
        return clean_text(region.text)
    return ""


def _text_item(region: Region, text: str, x: float, y: float, w: float, h: float,
               colour: str, rtl: bool | None = None) -> TextItem | None:
    """Fit text into the box; rtl (else each line's own direction) turns "left" into the
    start of the line: the right edge for right-to-left text."""
    fitted = fit(text, w, h, weight=region.weight, max_size=region.max_size,
                 min_size=region.min_size, max_lines=region.max_lines)
    if fitted is None:
        return None
    total = fitted.height
    if region.valign == "top":
        top = y + h
    elif region.valign == "bottom":
        top = y + total
    else:
        top = y + h - (h - total) / 2
    lines = []
    for line in fitted.lines:
        width = line.scaled_width(fitted.size)
        align = region.align
        if (line.rtl if rtl is None else rtl) and align != "center":
            align = "right" if align == "left" else "left"
        if align == "left":
            lx = x
        elif align == "right":
            lx = x + w - width
        else:
            lx = x + (w - width) / 2
        baseline = top - line.top * fitted.size / 1000
        lines.append((lx, baseline, width))
        top -= fitted.line_height(line)
    return TextItem(region, fitted, x, y, w, h, colour, tuple(lines))


def compose(attendee: Attendee, layout: Layout | str, *, qr_text: QrText,
            event_name: str = "") -> list[Item]:
    """Everything on one badge face, positioned in points (origin bottom-left)."""
    if isinstance(layout, str):
        layout = load_layout(layout)
    bh = layout.badge_height
    items: list[Item] = []
    by_field = {r.field: r for r in layout.regions}
    primary_text = name_lines(attendee)[0]
    name_rtl = shape(primary_text).rtl if primary_text else False
    for region in layout.regions:
        x, w, h = region.x, region.width, region.height
        y = bh - region.y - h
        kind = region.field
        if kind == "qr":
            payload = qr_text(attendee)
            if payload:
                size = min(w, h)
                items.append(QrItem(x + (w - size) / 2, y + (h - size) / 2, size,
                                    encode(payload)))
            continue
        if kind == "rule":
            items.append(RectItem(x, y, w, h, region.colour))
            continue
        text = _field_text(kind, attendee, event_name, region, layout)
        if kind == "secondary_name" and not text:
            continue
        if kind == "primary_name" and "secondary_name" in by_field and not name_lines(
                attendee)[1]:
            # The whole name is on the primary line: let it use the secondary's box too.
            other = by_field["secondary_name"]
            ox, oy = other.x, bh - other.y - other.height
            x0, y0 = min(x, ox), min(y, oy)
            x1, y1 = max(x + w, ox + other.width), max(y + h, oy + other.height)
            x, y, w, h = x0, y0, x1 - x0, y1 - y0
        colour = region.colour
        if kind == "role_band":
            band, colour, _ = role_style(attendee.role, layout.roles)
            items.append(RectItem(x, y, w, h, band, region.rotate))
            pad = region.padding
            x, y, w, h = x + pad, y + pad, w - 2 * pad, h - 2 * pad
        # The person's lines share one direction, the name's: a Hebrew name right-aligned
        # takes its title, organisation and country with it.
        rtl = name_rtl if kind in _PERSONAL else None
        item = _text_item(region, text, x, y, w, h, colour, rtl)
        if item is not None:
            items.append(item)
    return items


# -- drawing ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _glyph_path(face: Any, gid: int) -> tuple[str, tuple[float, float, float, float]] | None:
    """PDF path operators of a glyph outline (1000 units/em) and its bounding box."""
    ops = face.outline(gid)
    if not ops:
        return None
    parts: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    for op in ops:
        kind = op[0]
        if kind == "Z":
            parts.append("h")
            continue
        coords = op[1:]
        xs.extend(coords[0::2])
        ys.extend(coords[1::2])
        parts.append(" ".join(f"{v:.1f}" for v in coords) + {"M": " m", "L": " l", "C": " c"}[kind])
    return " ".join(parts), (min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1)


@lru_cache(maxsize=256)
def _fill(colour: str) -> str:
    """PDF operator setting the fill colour to #rrggbb."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return f"{r:.3f} {g:.3f} {b:.3f} rg"


@cache
def _glyphless_font() -> bytes:
    """A TrueType font with one empty glyph of HIDDEN_ADVANCE units, for text that is
    never painted (assets/pdf/glyphless.ttf; build_glyphless_font() made it)."""
    return (resources.assets() / "pdf" / "glyphless.ttf").read_bytes()


def build_glyphless_font() -> bytes:
    """What assets/pdf/glyphless.ttf holds, made with fontTools (a test compares them;
    building it at run time cost 250 ms of imports on the first badge)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef"])
    builder.setupCharacterMap({})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    builder.setupHorizontalMetrics({".notdef": (HIDDEN_ADVANCE, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "CheckinText", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800,
                     usWinDescent=200)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def _visual(text: str) -> str:
    """A line with right-to-left text in the order it is seen (UAX #9), as PDF text is
    laid out: text extraction (pdfium, poppler) turns such runs back into logical order."""
    if not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return text
    from bidi import algorithm as uax9

    visual: str = uax9.get_display(text)
    return visual


def _utf16_hex(ch: str) -> str:
    return ch.encode("utf-16-be").hex().upper()


class _HiddenTextFont:
    """The invisible text layer's font for one document: a code (CID) per character
    used; reportlab calls addObjects() when it writes the document (a "delayed" font,
    as its own TrueType subsets), when every character is known."""

    NAME = "CheckinText"

    def __init__(self, doc: Any) -> None:
        self.codes: dict[str, int] = {}
        self.internal = f"FH{len(doc.fontMapping) + 1}"
        doc.fontMapping[f"{self.NAME}-{id(self)}"] = "/" + self.internal
        doc.delayedFonts.append(self)

    def encode(self, text: str) -> str:
        """text as a hex string of 2-byte codes (Identity-H)."""
        out = []
        for ch in text:
            code = self.codes.get(ch)
            if code is None:
                code = self.codes[ch] = len(self.codes) + 1  # 0 stays .notdef
            out.append(f"{code:04X}")
        return "".join(out)

    def _to_unicode(self) -> str:
        entries = [f"<{code:04X}> <{_utf16_hex(ch)}>" for ch, code in self.codes.items()]
        blocks = []
        for start in range(0, len(entries), 100):  # at most 100 per block (the CMap spec)
            chunk = entries[start:start + 100]
            blocks += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
        return "\n".join([
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            f"/CMapName /{self.NAME}-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange", *blocks,
            "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])

    def addObjects(self, doc: Any) -> None:  # reportlab calls it by this name
        from reportlab.pdfbase import pdfdoc

        def stream(content: bytes | str, **extra: Any) -> Any:
            obj = pdfdoc.PDFStream(dictionary=pdfdoc.PDFDictionary(extra))
            obj.content = content
            if doc.compression:
                obj.filters = [pdfdoc.PDFZCompress]
            return obj

        name = pdfdoc.PDFName(self.NAME)
        program = _glyphless_font()
        file2 = doc.Reference(stream(program, Length1=len(program)))
        descriptor = doc.Reference(pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("FontDescriptor"), "FontName": name, "Flags": 4,
            "FontBBox": pdfdoc.PDFArray([0, -200, HIDDEN_ADVANCE, 800]), "ItalicAngle": 0,
            "Ascent": 800, "Descent": -200, "CapHeight": 700, "StemV": 80,
            "FontFile2": file2}))
        cid_font = doc.Reference(pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"), "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": name, "CIDSystemInfo": pdfdoc.PDFDictionary({
                "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"),
                "Supplement": 0}),
            "FontDescriptor": descriptor, "DW": HIDDEN_ADVANCE,
            "CIDToGIDMap": pdfdoc.PDFName("Identity")}))
        font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"), "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": name, "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([cid_font]),
            "ToUnicode": doc.Reference(stream(self._to_unicode()))})
        doc.Reference(font, self.internal)
        doc.idToObject["BasicFonts"].dict[self.internal] = font


class _Painter:
    """Draws composed badge items on a reportlab canvas; glyphs become shared forms.

    The per-glyph and QR operators are appended to the canvas's content stream as
    ready-made PDF text (`_emit`): going through reportlab's canvas calls formats every
    number with its pure-Python float formatter, which was 60 % of the time for 400
    badges."""

    def __init__(self, canvas: Any) -> None:
        self.c = canvas
        self.forms: dict[tuple[int, int], tuple[str, str] | None] = {}
        self.face_ids: dict[int, int] = {}
        self.page_forms: set[str] = set()  # a page's resources list the forms it uses
        self._font: _HiddenTextFont | None = None

    def new_page(self) -> None:
        self.page_forms = set()

    def _emit(self, operators: str) -> None:
        self.c._code.append(operators)

    def _form(self, face: Any, gid: int) -> tuple[str, str] | None:
        """(form name, PDF XObject name) of the glyph's form, defined on first use."""
        key = (id(face), gid)
        if key in self.forms:
            return self.forms[key]
        path = _glyph_path(face, gid)
        name = None
        if path is not None:
            face_no = self.face_ids.setdefault(id(face), len(self.face_ids))
            form = f"g{face_no}_{gid}"
            ops, (x0, y0, x1, y1) = path
            c = self.c
            c.beginForm(form, x0, y0, x1, y1)
            self._emit(ops + " f")  # the outline as it is: nonzero winding fill
            c.endForm()
            name = (form, c._doc.getXObjectName(form))
        self.forms[key] = name
        return name

    def text(self, item: TextItem) -> None:
        c = self.c
        self._emit(_fill(item.colour))
        size = item.fitted.size
        scale = size / 1000
        rotate = item.region.rotate == 180
        if rotate:
            cx, cy = item.x + item.width / 2, item.y + item.height / 2
            self._emit(f"q -1 0 0 -1 {2 * cx:.2f} {2 * cy:.2f} cm")
        parts: list[str] = []
        for line, (lx, baseline, width) in zip(item.fitted.lines, item.lines, strict=True):
            for glyph in line.glyphs:
                key = (id(glyph.face), glyph.gid)
                form = self.forms[key] if key in self.forms else self._form(glyph.face,
                                                                            glyph.gid)
                if form is None:
                    continue
                if form[0] not in self.page_forms:
                    self.page_forms.add(form[0])
                    c._formsinuse.append(form[0])
                parts.append(f"q {scale:.5f} 0 0 {scale:.5f} {lx + glyph.x * scale:.2f} "
                             f"{baseline + glyph.y * scale:.2f} cm /{form[1]} Do Q")
            if item.region.field in _SEARCHABLE:
                hidden = self._hidden_text(line.text, lx, baseline, width, size)
                if hidden:
                    parts.append(hidden)
        self._emit("\n".join(parts))
        if rotate:
            self._emit("Q")

    def _hidden_text(self, text: str, x: float, y: float, width: float, size: float) -> str:
        """Invisible text over a line, in its logical order (render mode 3 draws nothing),
        stretched to the line's width so that a selection covers the drawn glyphs."""
        text = text.strip()
        if not text:
            return ""
        text = _visual(text)
        if self._font is None:
            self._font = _HiddenTextFont(self.c._doc)
        natural = len(text) * HIDDEN_ADVANCE / 1000 * size
        stretch = 100 * width / natural if natural > 0 else 100
        return (f"BT 3 Tr /{self._font.internal} {size:.2f} Tf {stretch:.2f} Tz "
                f"1 0 0 1 {x:.2f} {y:.2f} Tm <{self._font.encode(text)}> Tj ET")

    def rect(self, item: RectItem) -> None:
        self._emit(_fill(item.colour))
        self._emit(f"{item.x:.2f} {item.y:.2f} {item.width:.2f} {item.height:.2f} re f")

    def qr(self, item: QrItem) -> None:
        """All dark modules as rectangles of one path, in module units (whole numbers)."""
        n = item.code.size
        if not n:
            return
        unit = item.size / n
        self._emit(f"0 g q {unit:.5f} 0 0 {unit:.5f} {item.x:.2f} {item.y:.2f} cm "
                   f"{item.code.path} f Q")

    def badge(self, items: Sequence[Item], x: float, y: float, width: float, height: float,
              rotate: int) -> None:
        c = self.c
        c.saveState()
        if rotate == 180:  # local (u, v) -> (x + width - u, y + height - v)
            c.transform(-1, 0, 0, -1, x + width, y + height)
        else:
            c.translate(x, y)
        for item in items:
            if isinstance(item, TextItem):
                self.text(item)
            elif isinstance(item, RectItem):
                self.rect(item)
            else:
                self.qr(item)
        c.restoreState()


def _cut_marks(canvas: Any, layout: Layout, span_w: float, span_h: float) -> None:
    """Thin crosses at every corner of the grid, so a guillotine finds the cut lines."""
    from reportlab.lib.colors import HexColor

    sheet = layout.sheet
    xs: set[float] = set()
    ys: set[float] = set()
    for col in range(sheet.columns):
        left = sheet.left + col * (span_w + sheet.gap_x)
        xs.update((left, left + span_w))
    for row in range(sheet.rows):
        top = sheet.top + row * (span_h + sheet.gap_y)
        ys.update((layout.page_height - top, layout.page_height - top - span_h))
    arm = 8.0
    canvas.saveState()
    canvas.setStrokeColor(HexColor("#888888"))
    canvas.setLineWidth(0.3)
    for x in xs:
        for y in ys:
            canvas.line(x - arm, y, x + arm, y)
            canvas.line(x, y - arm, x, y + arm)
    canvas.restoreState()


def clear_caches() -> None:
    """Forget shaped lines, QR codes and glyph outlines (benchmarks measure a cold run)."""
    from checkin.badges import fonts
    from checkin.badges.shaping import shape

    shape.cache_clear()
    encode.cache_clear()
    _glyph_path.cache_clear()
    country_name.cache_clear()
    for weight in fonts.WEIGHTS:
        for face in fonts.chain(weight).loaded_faces:
            face._outlines.clear()
            face._extents.clear()


def _resolve(layout: Layout | str) -> Layout:
    return load_layout(layout) if isinstance(layout, str) else layout


DUPLEX_PREFERENCE = "DuplexFlipLongEdge"  # PDF ViewerPreferences /Duplex of duplex layouts


def render_pdf(attendees: Sequence[Attendee], layout: Layout | str, out: Path | BinaryIO, *,
               qr_text: QrText, event_name: str = "", single: bool = False) -> None:
    """Write the badges of attendees to a PDF (see the module docstring).

    single=True draws one front face per page at badge size (previews)."""

    layout = _resolve(layout)
    if not attendees:
        raise CheckinError("no badges to render")
    page_w, page_h = ((layout.badge_width, layout.badge_height) if single
                      else (layout.page_width, layout.page_height))
    target: Any = str(out) if isinstance(out, Path) else out
    from reportlab import rl_config

    # ASCII85 around compressed streams only makes the file 25 % bigger and costs
    # a pure-Python encoder pass (a third of the time for 400 badges): binary streams.
    saved_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        _render(attendees, layout, target, out, qr_text, event_name, single, page_w, page_h)
    finally:
        rl_config.useA85 = saved_a85


def _render(attendees: Sequence[Attendee], layout: Layout, target: Any, out: object,
            qr_text: QrText, event_name: str, single: bool, page_w: float,
            page_h: float) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(target, pagesize=(page_w, page_h), pageCompression=1, invariant=1)
    canvas.setTitle(f"Badges: {event_name}" if event_name else "Badges")
    canvas.setCreator("checkin-station")
    painter = _Painter(canvas)
    faces = layout.faces[:1] if single else layout.faces
    front = [f for f in faces if f.side == 1] or faces[:1]
    back = [] if single else [f for f in faces if f.side == 2]
    if back:
        # Tell the print path to print both sides (flipped on the long edge, as the back
        # is laid out): the CUPS backend turns this into sides=two-sided-long-edge, and
        # a print dialog preselects duplex. Without it, front and back come out on two
        # separate sheets.
        canvas.setViewerPreference("Duplex", DUPLEX_PREFERENCE)
    sheet = layout.sheet
    per_page = 1 if single else sheet.per_page
    span_w = max(f.x for f in faces) + layout.badge_width
    span_h = max(f.y for f in faces) + layout.badge_height
    marks = sheet.cut_marks and not single
    folds = layout.fold_line and not single and len(front) > 1
    for first in range(0, len(attendees), per_page):
        if first:
            painter.new_page()
        placed = []
        for slot, attendee in enumerate(attendees[first:first + per_page]):
            items = compose(attendee, layout, qr_text=qr_text, event_name=event_name)
            col, row = (0, 0) if single else (slot % sheet.columns, slot // sheet.columns)
            left = 0.0 if single else sheet.left + col * (span_w + sheet.gap_x)
            top = 0.0 if single else sheet.top + row * (span_h + sheet.gap_y)
            placed.append((items, left, top))
            _draw_faces(painter, layout, items, left, top, front, page_h, single)
        _finish_page(canvas, layout, span_w, span_h, marks, folds)
        if back:
            # The back of the sheet (duplex, flipped on the long edge): slots mirrored.
            painter.new_page()
            for items, left, top in placed:
                _draw_faces(painter, layout, items, page_w - left - span_w, top, back,
                            page_h, single)
            _finish_page(canvas, layout, span_w, span_h, False, False)
    try:
        canvas.save()
    except OSError as exc:
        raise CheckinError(f"cannot write {out}: {exc.strerror or exc}") from None


def _draw_faces(painter: _Painter, layout: Layout, items: list[Item], left: float,
                top: float, faces: Sequence[Face], page_h: float, single: bool) -> None:
    for face in faces:
        fx = left + (0.0 if single else face.x)
        fy = page_h - (top + (0.0 if single else face.y)) - layout.badge_height
        painter.badge(items, fx, fy, layout.badge_width, layout.badge_height,
                      0 if single else face.rotate)


def _finish_page(canvas: Any, layout: Layout, span_w: float, span_h: float, marks: bool,
                 folds: bool) -> None:
    """Cut marks and fold lines go on top of the badges (a band would hide them)."""
    if marks:
        _cut_marks(canvas, layout, span_w, span_h)
    if folds:
        _fold_lines(canvas, layout)
    canvas.showPage()


def _fold_lines(canvas: Any, layout: Layout) -> None:
    """A light dashed line where a fold-over badge is folded (between its faces)."""
    from reportlab.lib.colors import HexColor

    canvas.saveState()
    canvas.setStrokeColor(HexColor("#BBBBBB"))
    canvas.setLineWidth(0.3)
    canvas.setDash(3, 3)
    faces = layout.faces
    for a, b in itertools.pairwise(faces):
        if abs(a.y - b.y) < 0.5:  # side by side: a vertical fold
            x = max(a.x, b.x)
            canvas.line(x, 0, x, layout.page_height)
        else:
            y = layout.page_height - max(a.y, b.y)
            canvas.line(0, y, layout.page_width, y)
    canvas.restoreState()


def render_png(attendee: Attendee, layout: Layout | str, out_path: Path, *, qr_text: QrText,
               dpi: int = 150, event_name: str = "") -> None:
    """One badge's front face as a PNG at dpi (a preview: no sheet, no cut marks)."""
    import pypdfium2 as pdfium

    buffer = io.BytesIO()
    render_pdf([attendee], layout, buffer, qr_text=qr_text, event_name=event_name,
               single=True)
    pdf = pdfium.PdfDocument(buffer.getvalue())
    try:
        image = pdf[0].render(scale=dpi / 72).to_pil()
        try:
            image.save(out_path, format="PNG", dpi=(dpi, dpi))
        except OSError as exc:
            raise CheckinError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    finally:
        pdf.close()
