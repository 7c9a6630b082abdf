"""Auto-fit: the largest size at which a text fits its box, on one line or two.

Rules (issue 4): shrink to the region's minimum size on one line; if it still does not
fit, wrap to two lines at a space or hyphen, or between CJK characters (checkin.text.is_cjk)
except before a mark that may not start a Japanese line; if that is still too long,
shrink further within two lines. The result never overflows its box:
every line's advance width is at most the box width and the stacked line boxes (font
ascender/descender widened to the ink) at most its height.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from checkin.badges.shaping import ShapedLine, shape
from checkin.text import is_cjk


@dataclass(frozen=True)
class Fitted:
    lines: tuple[ShapedLine, ...]
    size: float  # points

    def line_height(self, line: ShapedLine) -> float:
        return (line.top - line.bottom) * self.size / 1000

    @property
    def height(self) -> float:
        return sum(self.line_height(line) for line in self.lines)

    @property
    def width(self) -> float:
        return max((line.scaled_width(self.size) for line in self.lines), default=0.0)


# Japanese line-start rule (kinsoku): repeat marks, the long-vowel mark, small kana and
# the middle dot belong to the character before them and never begin a line.
_NO_LINE_START = frozenset("々〻ゝゞヽヾーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ・"
                           "ㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯｰ")


def _cjk_break(before: str, after: str) -> bool:
    if not (is_cjk(before) and is_cjk(after)) or after in _NO_LINE_START:
        return False
    # Inside one syllable: kana voicing marks, and the vowel and final jamo of a Hangul
    # syllable spelled out in jamo (old Korean has no precomposed form).
    return not (unicodedata.combining(after) or "\u1160" <= after <= "\u11ff"
                or "\ud7b0" <= after <= "\ud7ff")


def break_candidates(text: str) -> list[tuple[str, str]]:
    """Every way to split text into two lines at a space, after a hyphen or slash, or
    between two CJK characters."""
    out: list[tuple[str, str]] = []
    for i, ch in enumerate(text):
        if i == 0:
            continue
        if ch == " ":
            first, second = text[:i].rstrip(), text[i + 1:].lstrip()
        elif (text[i - 1] in "-‐/–" and ch != " ") or _cjk_break(text[i - 1], ch):
            first, second = text[:i], text[i:]
        else:
            continue
        if first and second:
            out.append((first, second))
    return out


def _size_for(lines: tuple[ShapedLine, ...], width: float, height: float,
              max_size: float) -> float:
    widest = max(line.width for line in lines)
    tall = sum(line.top - line.bottom for line in lines)
    size = max_size
    if widest > 0:
        size = min(size, width * 1000 / widest)
    if tall > 0:
        size = min(size, height * 1000 / tall)
    return size


def fit(text: str, width: float, height: float, *, weight: str = "bold",
        max_size: float = 12, min_size: float = 6, max_lines: int = 2) -> Fitted | None:
    """Fit text into a width x height box (points); None for empty text."""
    if not text.strip() or width <= 0 or height <= 0:
        return None
    one = (shape(text, weight),)
    one_size = _size_for(one, width, height, max_size)
    if one_size >= min_size or max_lines < 2:
        return Fitted(one, one_size)
    best: Fitted | None = None
    best_key: tuple[float, bool, float] | None = None
    for first, second in break_candidates(one[0].text):
        two = (shape(first, weight), shape(second, weight))
        size = _size_for(two, width, height, max_size)
        # Largest size first; when the height limits both ways alike, prefer a break at
        # a space to one inside a hyphenated name, then the more even pair of lines.
        key = (round(size, 2), not first.endswith(("-", "‐", "–", "/")),
               -max(two[0].width, two[1].width))
        if best_key is None or key > best_key:
            best, best_key = Fitted(two, size), key
    if best is None or best.size <= one_size:
        return Fitted(one, one_size)
    return best
