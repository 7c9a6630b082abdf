"""The shipped badge fonts: a per-weight fallback chain and cached glyph outlines.

Fonts are the Noto files in assets/fonts/ (see its README for coverage); the order of the
fallback chain is data (assets/fonts/fonts.toml). Glyph outlines come from HarfBuzz's own
draw API, so one parsed font serves shaping, metrics and drawing, and each outline is
computed once per process.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from checkin import resources
from checkin.errors import CheckinError

# One outline operation: ("M", x, y) | ("L", x, y) | ("C", x1, y1, x2, y2, x, y) | ("Z",)
# in units of 1/1000 em, y up.
Op = tuple[Any, ...]

WEIGHTS = ("regular", "bold")


def fonts_dir() -> Path:
    return resources.assets() / "fonts"


class _OutlinePen:
    """Collects a HarfBuzz glyph outline as path operations scaled to 1000 units/em."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.ops: list[Op] = []
        self._cur = (0.0, 0.0)

    def moveTo(self, p: tuple[float, float]) -> None:
        self._cur = (p[0] * self.scale, p[1] * self.scale)
        self.ops.append(("M", *self._cur))

    def lineTo(self, p: tuple[float, float]) -> None:
        self._cur = (p[0] * self.scale, p[1] * self.scale)
        self.ops.append(("L", *self._cur))

    def curveTo(self, c1: tuple[float, float], c2: tuple[float, float],
                p: tuple[float, float]) -> None:
        s = self.scale
        self._cur = (p[0] * s, p[1] * s)
        self.ops.append(("C", c1[0] * s, c1[1] * s, c2[0] * s, c2[1] * s, *self._cur))

    def qCurveTo(self, c: tuple[float, float], p: tuple[float, float]) -> None:
        # A quadratic Bézier is the cubic with control points 2/3 of the way to c.
        s = self.scale
        x0, y0 = self._cur
        qx, qy = c[0] * s, c[1] * s
        x, y = p[0] * s, p[1] * s
        self.ops.append(("C", x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0),
                         x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y))
        self._cur = (x, y)

    def closePath(self) -> None:
        self.ops.append(("Z",))


@dataclass(eq=False)
class FontFace:
    """One font file, parsed once by HarfBuzz."""

    name: str
    path: Path
    hb_font: Any = field(repr=False)
    upem: int
    ascender: float  # 1000 units/em
    descender: float  # negative
    _outlines: dict[int, tuple[Op, ...]] = field(default_factory=dict, repr=False)
    _extents: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> FontFace:
        import uharfbuzz as hb

        try:
            blob = hb.Blob.from_file_path(str(path))
        except Exception as exc:
            raise CheckinError(f"cannot read font {path}: {exc}") from None
        face = hb.Face(blob)
        font = hb.Font(face)
        extents = font.get_font_extents("ltr")
        scale = 1000 / face.upem
        return cls(path.stem, path, font, face.upem, extents.ascender * scale,
                   extents.descender * scale)

    def has(self, codepoint: int) -> bool:
        return self.hb_font.get_nominal_glyph(codepoint) is not None

    def outline(self, gid: int) -> tuple[Op, ...]:
        ops = self._outlines.get(gid)
        if ops is None:
            pen = _OutlinePen(1000 / self.upem)
            self.hb_font.draw_glyph_with_pen(gid, pen)
            ops = self._outlines[gid] = tuple(pen.ops)
        return ops

    def vertical_extent(self, gid: int) -> tuple[float, float]:
        """(bottom, top) of the glyph's ink in 1000 units/em (0, 0 for a blank glyph)."""
        ext = self._extents.get(gid)
        if ext is None:
            e = self.hb_font.get_glyph_extents(gid)
            scale = 1000 / self.upem
            ext = (0.0, 0.0) if e is None else ((e.y_bearing + e.height) * scale,
                                                  e.y_bearing * scale)
            self._extents[gid] = ext
        return ext


class FontChain:
    """The fallback chain of one weight: the first face that holds a character draws it.

    Faces are opened when a character first needs them: a Latin name touches one font
    file, not all twenty-odd (the first badge of a process is that much faster).
    """

    def __init__(self, weight: str, paths: list[Path]) -> None:
        self.weight = weight
        self.paths = paths
        self._faces: list[FontFace | None] = [None] * len(paths)

    def _face(self, index: int) -> FontFace:
        face = self._faces[index]
        if face is None:
            face = self._faces[index] = FontFace.load(self.paths[index])
        return face

    @property
    def faces(self) -> list[FontFace]:
        """Every face of the chain (opens them all)."""
        return [self._face(i) for i in range(len(self.paths))]

    @property
    def loaded_faces(self) -> list[FontFace]:
        return [face for face in self._faces if face is not None]

    def face_for(self, ch: str) -> FontFace | None:
        cp = ord(ch)
        for index in range(len(self.paths)):
            face = self._face(index)
            if face.has(cp):
                return face
        return None

    @property
    def primary(self) -> FontFace:
        return self._face(0)


@cache
def chain(weight: str = "bold") -> FontChain:
    """The fallback chain for weight ("regular" or "bold"), loaded once per process."""
    if weight not in WEIGHTS:
        raise CheckinError(f"unknown font weight {weight!r} (use regular or bold)")
    config_path = fonts_dir() / "fonts.toml"
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        names = list(config["weights"][weight])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise CheckinError(f"{config_path}: broken font list ({exc})") from None
    paths = [fonts_dir() / name for name in names]
    missing = [path for path in paths if not path.is_file()]
    if missing:  # say so at once, not at the first name that needs the file
        raise CheckinError(f"cannot read font {missing[0]}: no such file")
    return FontChain(weight, paths)


def missing_characters(text: str, weight: str = "bold") -> list[str]:
    """Characters of text that no shipped font can draw (spaces and marks excepted)."""
    fonts = chain(weight)
    return [ch for ch in text if not ch.isspace() and fonts.face_for(ch) is None]
