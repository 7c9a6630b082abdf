"""Text hygiene for anything stored, displayed or printed; the one CJK test; the folds.

Hygiene
- clean_text(): NFC, control/bidi/zero-width characters dropped, whitespace squeezed.
- neutralise_formula(): a cell a spreadsheet would run as a formula, made inert.

CJK: the scripts written without spaces between a name's parts, whose names are
family-first, and which a line may break between two characters. One set serves every
caller (name order, display join, line breaks, search keys); callers that need the
script itself (a Japanese family name is the kanji before the kana) ask cjk_script().
- cjk_script(ch): "han", "kana", "hangul" or "bopomofo"; None for anything else. Han is
  every CJK Unified Ideographs block (U+3400.., U+4E00.., U+20000-U+3FFFF: Extensions B
  to I and the compatibility supplement), the compatibility ideographs, the radicals,
  and the marks used inside names (々 〆 〇 〻); kana includes the halfwidth,
  phonetic-extension and supplementary blocks; hangul the jamo blocks. CJK punctuation
  and the Yijing hexagrams (U+4DC0, between Extension A and the Unified block) are not.
- is_cjk(ch): cjk_script(ch) is not None. has_cjk(text): any character of text is.

Folds: each is case-insensitive (str.casefold: ß -> ss, ς -> σ), width-insensitive (NFKD:
ＡＢＣ -> abc) and accent-insensitive; they differ in which marks count as accents and
what happens to everything else.
- fold_search(): for search keys and queries. Drops accents only (Latin, Greek,
  Cyrillic, Hebrew points, Arabic harakat), keeps the marks that are letters elsewhere
  (kana voicing, Indic vowel signs), maps letters with no decomposition (ø -> o,
  ł -> l; table in assets/search/romanisation.json), keeps punctuation and spaces; NFC.
- fold_plain(): drops every combining mark (が -> か, and an Indic virama); the result
  stays decomposed (Hangul as jamo).
  Punctuation and spaces are kept: for patterns that read them.
- fold_words(): fold_plain(), each run of anything but letters and digits one space,
  trimmed: for keyword matching, and for the stable ids generated from names (those
  ids depend on it: its output must never change).
- fold_compact(): fold_plain() with letters and digits only ("E-Mail" -> "email"): for
  header and country spellings.
"""

import json
import re
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache
from typing import Literal

from checkin import resources

# Bidi embeddings/overrides/isolates and marks: they let a value reorder what is printed
# around it (the "Trojan source" trick), so they never survive into the database.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters with no job in a name: zero-width space, word joiner, BOM,
# Mongolian vowel separator, soft hyphen.
_INVISIBLE = "\u200b\u2060\ufeff\u180e\u00ad"
_DROP = re.compile(f"[{_BIDI}{_INVISIBLE}]")
_JOINERS = "\u200c\u200d"  # ZWNJ/ZWJ: meaningful inside Persian and Indic words
_SPACE = re.compile(r"\s+")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r"


def _keep_joiner(text: str, i: int) -> bool:
    """Keep ZWNJ/ZWJ only between two non-ASCII letters or marks (Persian, Indic, emoji)."""
    if i == 0 or i == len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    return all(c > "\x7f" and unicodedata.category(c)[0] in "LMS" for c in (before, after))


def clean_text(value: object, *, multiline: bool = False) -> str:
    """NFC-normalise, drop control/bidi/zero-width characters and squeeze whitespace."""
    if value is None:
        return ""
    if isinstance(value, str) and value.isascii() and value.isprintable():
        # Fastest path: printable ASCII is NFC, holds nothing to drop, spaces only.
        if "  " in value or value.startswith(" ") or value.endswith(" "):
            return " ".join(value.split())
        return value
    text = unicodedata.normalize("NFC", str(value))
    text = _DROP.sub("", text)
    if text.isprintable():
        # Fast path (imports clean ~10 cells per row): printable text holds no control,
        # format (joiner) or line-separator characters, so the loop below would keep
        # every character; only the whitespace squeeze applies.
        return _SPACE.sub(" ", text).strip()
    out = []
    for i, ch in enumerate(text):
        if ch in _JOINERS and not _keep_joiner(text, i):
            continue
        if _is_control(ch):
            out.append(" ")
            continue
        out.append(ch)
    text = "".join(out)
    if multiline:
        lines = [_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
        return "\n".join(lines).strip()
    return _SPACE.sub(" ", text).strip()


def neutralise_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula (CSV/XLSX injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


# -- CJK --------------------------------------------------------------------------------

CjkScript = Literal["han", "kana", "hangul", "bopomofo"]

# (first, last, script), sorted and disjoint (cjk_script bisects it). Repeat marks and
# the ideographic zero are here because names use them (佐々木, 〆木, 一〇); radicals
# because text copied out of a PDF often holds ⼈ for 人; punctuation (、。「」) is not.
_CJK_RANGES: tuple[tuple[int, int, CjkScript], ...] = (
    (0x1100, 0x11FF, "hangul"),    # Hangul Jamo
    (0x2E80, 0x2FDF, "han"),       # CJK Radicals Supplement, Kangxi Radicals
    (0x3005, 0x3007, "han"),       # 々 〆 〇
    (0x3031, 0x3035, "kana"),      # vertical kana repeat marks
    (0x303B, 0x303B, "han"),       # 〻
    (0x3040, 0x30FF, "kana"),      # Hiragana, Katakana
    (0x3100, 0x312F, "bopomofo"),  # Bopomofo
    (0x3130, 0x318F, "hangul"),    # Hangul Compatibility Jamo
    (0x31A0, 0x31BF, "bopomofo"),  # Bopomofo Extended
    (0x31F0, 0x31FF, "kana"),      # Katakana Phonetic Extensions
    (0x3400, 0x4DBF, "han"),       # Extension A
    (0x4E00, 0x9FFF, "han"),       # CJK Unified Ideographs
    (0xA960, 0xA97F, "hangul"),    # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF, "hangul"),    # Hangul Syllables, Jamo Extended-B
    (0xF900, 0xFAFF, "han"),       # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F, "kana"),      # halfwidth katakana
    (0xFFA0, 0xFFDF, "hangul"),    # halfwidth Hangul
    (0x1AFF0, 0x1B16F, "kana"),    # Kana Extended-B, Supplement, Extended-A, small kana
    (0x20000, 0x3FFFF, "han"),     # Extensions B-I, Compatibility Supplement (planes 2-3)
)
_CJK_STARTS = tuple(lo for lo, _, _ in _CJK_RANGES)
_CJK_CHAR = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi, _ in _CJK_RANGES) + "]")


def cjk_script(ch: str) -> CjkScript | None:
    """The CJK script of one character, None for any other (see the module docstring)."""
    code = ord(ch)
    i = bisect_right(_CJK_STARTS, code) - 1
    if i >= 0 and code <= _CJK_RANGES[i][1]:
        return _CJK_RANGES[i][2]
    return None


def is_cjk(ch: str) -> bool:
    """Whether one character is Han, kana, Hangul or Bopomofo."""
    return ch >= "\u1100" and _CJK_CHAR.match(ch) is not None


def has_cjk(text: str) -> bool:
    """Whether any character of text is Han, kana, Hangul or Bopomofo."""
    return not text.isascii() and _CJK_CHAR.search(text) is not None


# -- folds ------------------------------------------------------------------------------


@cache
def _latin_fold_table() -> dict[int, str]:
    path = resources.assets() / "search" / "romanisation.json"
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["latin_fold"]
    return {ord(k): v for k, v in table.items()}


def _accent(ch: str) -> bool:
    """Marks that are accents (dropped) rather than vowels or letters (kept: Indic, kana)."""
    o = ord(ch)
    return (0x0300 <= o <= 0x036F or 0x0591 <= o <= 0x05C7 or 0x0610 <= o <= 0x061A
            or 0x064B <= o <= 0x065F or o == 0x0670 or 0x06D6 <= o <= 0x06ED
            or 0x1AB0 <= o <= 0x1AFF or 0x1DC0 <= o <= 0x1DFF or 0x20D0 <= o <= 0x20FF
            or 0xFE20 <= o <= 0xFE2F)


def fold_search(text: str) -> str:
    """Case- and accent-insensitive form for search: "Müller" -> "muller",
    "Παπαδόπουλος" -> "παπαδοπουλοσ", "がく" unchanged."""
    if text.isascii():  # most e-mails, codes and ids: no cache churn for unique strings
        return text.lower()
    return _fold_search(text)


@lru_cache(maxsize=65536)
def _fold_search(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not _accent(ch))
    return unicodedata.normalize("NFC", kept).translate(_latin_fold_table())


def fold_plain(text: str) -> str:
    """Casefolded, compatibility-decomposed, every combining mark dropped:
    "Ｒｅｎéｅ" -> "renee", "がく" -> "かく"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NOT_ALNUM = re.compile(r"[\W_]+")


def fold_words(text: str) -> str:
    """fold_plain() with punctuation and spaces as single spaces: "Dr.-Ing. Ärzte_Tag" ->
    "dr ing arzte tag"."""
    return " ".join(_NOT_ALNUM.sub(" ", fold_plain(text)).split())


def fold_compact(text: str) -> str:
    """fold_plain() with letters and digits only: "E-Mail" -> "email", "Côte d'Ivoire" ->
    "cotedivoire"."""
    return _NOT_ALNUM.sub("", fold_plain(text))


# Name particles written in lower case inside a name ("Ludwig van Beethoven", "Maria da
# Silva"); first in a name they are capitalised like any word.
_PARTICLES = frozenset({
    "al", "bin", "binti", "da", "das", "de", "degli", "dei", "del", "della", "der", "di",
    "do", "dos", "du", "el", "la", "le", "ten", "ter", "van", "von", "y", "zu",
})


def name_case(text: str) -> str:
    """A name typed all in lower (or all in upper) case, in the case names are written:
    "sofia rinaldi" -> "Sofia Rinaldi", "anne-marie o'neill" -> "Anne-Marie O'Neill",
    "ludwig van beethoven" -> "Ludwig van Beethoven". A word with capitals inside
    ("McDonald", "DeVito") is kept as typed, and so are scripts without case."""
    words = text.split()
    out = []
    for index, word in enumerate(words):
        letters = [ch for ch in word if ch.isalpha()]
        mixed = any(ch.isupper() for ch in letters) and any(ch.islower() for ch in letters)
        if mixed or not letters:
            out.append(word)
            continue
        lower = word.lower()
        if index > 0 and lower in _PARTICLES and index < len(words) - 1:
            out.append(lower)
            continue
        parts = re.split(r"([-'’])", lower)
        out.append("".join(part[:1].upper() + part[1:] for part in parts))
    return " ".join(out)
