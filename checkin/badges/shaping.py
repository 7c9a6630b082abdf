"""Text to positioned glyphs: font fallback per character, bidi order, HarfBuzz shaping.

Pipeline for one line of text:

1. `clean_text` (bidi overrides, zero-width and control characters are gone);
2. each character gets the first font of the weight's chain that holds it (marks and
   joiners stay with their base; a letter no font holds is transliterated with
   anyascii, a symbol or emoji no font holds is left out, so nothing ever prints as a
   .notdef box);
3. bidi embedding levels (python-bidi's UAX #9 implementation) when the text holds any
   right-to-left character;
4. runs of one font and one level are shaped by HarfBuzz (Arabic joining, Indic
   reordering and conjuncts, Thai marks, kerning), right-to-left runs in RTL direction;
5. runs are put in visual order (UAX #9 rule L2).

Why not reportlab's text drawing: its TTF path draws code points, not shaped glyphs,
so Arabic prints unjoined and Devanagari/Tamil/Bengali lose their conjuncts and vowel
reordering (measured: see docs/badges/README.md). Drawing HarfBuzz glyph outlines is
exact for every script and needs no font embedding.

Positions are in 1000 units per em, so a shaped line is shaped once and scaled freely.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from checkin.badges.fonts import FontFace, chain
from checkin.text import clean_text


@dataclass(frozen=True)
class Glyph:
    face: FontFace
    gid: int
    x: float  # left of the glyph origin from the line start (1000 units/em)
    y: float  # baseline offset (marks)


@dataclass(frozen=True)
class ShapedLine:
    text: str
    glyphs: tuple[Glyph, ...]
    width: float  # advance width, 1000 units/em
    top: float  # highest point: the font ascender or the ink, whichever is higher
    bottom: float  # lowest point (negative): the font descender or the ink
    rtl: bool  # base direction (for alignment of wrapped lines)

    def scaled_width(self, size: float) -> float:
        return self.width * size / 1000

    @property
    def missing(self) -> int:
        """Glyphs that would print as .notdef (glyph id 0)."""
        return sum(1 for g in self.glyphs if g.gid == 0)


def _is_attached(ch: str) -> bool:
    """Marks, joiners and variation selectors belong to the font of the character before."""
    return (unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in "\u200c\u200d" or "\ufe00" <= ch <= "\ufe0f")


def _neutral(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "ZPN" or ch == "-"


def _assign_fonts(text: str, weight: str) -> tuple[str, list[FontFace]]:
    """Per character font; characters no font holds are replaced by their transliteration."""
    fonts = chain(weight)
    # Symbols and emoji no font can draw are dropped first, and the spaces around them
    # squeezed, so that "Ana 😀" prints as "Ana".
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNZ"
                   or _is_attached(ch) or fonts.face_for(ch) is not None)
    if kept != text:
        text = clean_text(kept)
    out_chars: list[str] = []
    faces: list[FontFace] = []
    for ch in text:
        face: FontFace | None = None
        if faces and (_is_attached(ch) or _neutral(ch)) and faces[-1].has(ord(ch)):
            face = faces[-1]
        if face is None:
            face = fonts.face_for(ch)
        if face is None:
            if unicodedata.category(ch)[0] not in "LN":
                continue  # an emoji or mark nobody can draw adds nothing readable
            from anyascii import anyascii

            # A letter anyascii cannot spell (some Lao, Khmer, ... vowels) is left out:
            # a "?" on a name badge reads as an error.
            for sub in anyascii(ch):
                out_chars.append(sub)
                faces.append(fonts.face_for(sub) or fonts.primary)
            continue
        out_chars.append(ch)
        faces.append(face)
    return "".join(out_chars), faces


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _levels(text: str) -> tuple[list[int], int]:
    """Resolved bidi embedding level per character, and the paragraph level."""
    if not _has_rtl(text):
        return [0] * len(text), 0
    from bidi import algorithm as uax9

    storage = uax9.get_empty_storage()
    base = uax9.get_base_level(text)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uax9.get_embedding_levels(text, storage)
    for i, item in enumerate(storage["chars"]):
        item["i"] = i
    uax9.explicit_embed_and_overrides(storage)
    uax9.resolve_weak_types(storage, False)
    uax9.resolve_neutral_types(storage, False)
    uax9.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for item in storage["chars"]:
        levels[item["i"]] = item["level"]
    # Characters removed by rule X9 (joiners) take the level of their neighbour.
    resolved: list[int] = []
    for level in levels:
        resolved.append(level if level is not None else (resolved[-1] if resolved else base))
    # Rule L1: trailing whitespace goes back to the paragraph level.
    for i in range(len(text) - 1, -1, -1):
        if not text[i].isspace():
            break
        resolved[i] = base
    return resolved, base


def _shape_run(text: str, face: FontFace, rtl: bool) -> list[tuple[int, float, float, float]]:
    """(glyph id, x offset, y offset, advance) per glyph in visual order, 1000 units/em."""
    import uharfbuzz as hb

    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    hb.shape(face.hb_font, buf, {"kern": True, "liga": True})
    scale = 1000 / face.upem
    return [(info.codepoint, pos.x_offset * scale, pos.y_offset * scale, pos.x_advance * scale)
            for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)]


@lru_cache(maxsize=8192)
def shape(text: str, weight: str = "bold") -> ShapedLine:
    """Shape one line of text (cached: the same name shaped twice costs nothing)."""
    text = clean_text(text)
    text, faces = _assign_fonts(text, weight)
    levels, base = _levels(text)
    # Logical runs of one font and one level.
    runs: list[tuple[int, int, FontFace, int]] = []  # (start, end, face, level)
    for i, face in enumerate(faces):
        if runs and runs[-1][2] is face and runs[-1][3] == levels[i]:
            start, _, _, level = runs[-1]
            runs[-1] = (start, i + 1, face, level)
        else:
            runs.append((i, i + 1, face, levels[i]))
    # Rule L2: from the highest level down to the lowest odd level, reverse every
    # contiguous sequence of runs at that level or above.
    if runs:
        highest = max(r[3] for r in runs)
        lowest_odd = min((r[3] for r in runs if r[3] % 2), default=highest + 1)
        for level in range(highest, lowest_odd - 1, -1):
            i = 0
            while i < len(runs):
                if runs[i][3] >= level:
                    j = i
                    while j < len(runs) and runs[j][3] >= level:
                        j += 1
                    runs[i:j] = reversed(runs[i:j])
                    i = j
                else:
                    i += 1
    glyphs: list[Glyph] = []
    x = 0.0
    # Line box: the Latin font's ascender/descender, widened to the ink where a script
    # reaches further (Thai and Indic marks, Arabic descenders). Script fonts' own
    # ascenders are far larger than their ink and would shrink their names needlessly.
    top, bottom = chain(weight).primary.ascender, chain(weight).primary.descender
    right = 0.0  # the rightmost glyph origin: a mark placed after the last advance
    for start, end, face, level in runs:
        for gid, dx, dy, advance in _shape_run(text[start:end], face, bool(level % 2)):
            glyphs.append(Glyph(face, gid, x + dx, dy))
            right = max(right, x + dx)
            low, high = face.vertical_extent(gid)
            top = max(top, high + dy)
            bottom = min(bottom, low + dy)
            x += advance
    # Myanmar (and other) marks can sit past the line's last advance; fitting measures
    # the width, so the width covers them, or they would stick out of the box.
    return ShapedLine(text, tuple(glyphs), max(x, right), top, bottom, bool(base % 2))
