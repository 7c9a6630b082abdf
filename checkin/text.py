"""Text hygiene for anything stored, displayed or printed."""

import re
import unicodedata

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
