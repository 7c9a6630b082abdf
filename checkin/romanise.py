"""Romanisation of name words, so that a desk can find a name the way it is typed.

- romanise(): Latin-letter spellings of one word in another script, primary first
  (Greek and Cyrillic by rules with common alternatives, Indic scripts letter by letter
  with the inherent vowel, everything else through anyascii).
- skeleton(): consonant skeleton, for abjads and scripts whose romanisation drops or
  guesses vowels (Arabic, Hebrew, Thai, Indic): "mohammed" and محمد both give "mhmd".
- script_of()/word_script(): the script that decides which of these applies; Han, kana
  and Hangul as checkin.text.cjk_script() says.

Words are folded with checkin.text.fold_search first. The tables live in
assets/search/romanisation.json.
"""

import json
import unicodedata
from functools import cache, lru_cache
from itertools import product
from typing import TYPE_CHECKING, Any

from anyascii import anyascii

from checkin import resources
from checkin.text import cjk_script, fold_search

if TYPE_CHECKING:
    from checkin.models import Attendee

_MAX_VARIANTS = 24


@cache
def _data() -> dict[str, Any]:
    path = resources.assets() / "search" / "romanisation.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# -- scripts ------------------------------------------------------------------------------

LATIN, GREEK, CYRILLIC, CJK, HANGUL, KANA, ABJAD, INDIC, THAI, OTHER = (
    "latin", "greek", "cyrillic", "cjk", "hangul", "kana", "abjad", "indic", "thai", "other")

_RANGES = (
    (0x0000, 0x024F, LATIN), (0x1E00, 0x1EFF, LATIN), (0x0370, 0x03FF, GREEK),
    (0x1F00, 0x1FFF, GREEK), (0x0400, 0x052F, CYRILLIC), (0x0590, 0x05FF, ABJAD),
    (0x0600, 0x08FF, ABJAD), (0xFB1D, 0xFDFF, ABJAD), (0xFE70, 0xFEFF, ABJAD),
    (0x0900, 0x0D7F, INDIC), (0x0E00, 0x0E7F, THAI),
)
# Bopomofo spells Mandarin: romanised like Han (through anyascii), never on its own.
_CJK_SCRIPTS = {"han": CJK, "bopomofo": CJK, "kana": KANA, "hangul": HANGUL}


def script_of(ch: str) -> str:
    cjk = cjk_script(ch)
    if cjk is not None:
        return _CJK_SCRIPTS[cjk]
    o = ord(ch)
    for lo, hi, name in _RANGES:
        if lo <= o <= hi:
            return name
    return OTHER


def word_script(word: str) -> str:
    """The script of the first letter; digits and punctuation count as Latin."""
    for ch in word:
        if ch.isalpha():
            return script_of(ch)
    return LATIN


# -- romanisation ---------------------------------------------------------------------------


def _ascii_word(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def _by_rules(word: str, rules: dict[str, list[str]]) -> list[str]:
    """Spellings of word under longest-match rules (a "^" rule applies at the start only)."""
    slots: list[list[str]] = []
    i = 0
    while i < len(word):
        for size in (2, 1):
            piece = word[i:i + size]
            if len(piece) < size:
                continue
            if i == 0 and "^" + piece in rules:  # word-initial spelling: Е -> "Ye"/"E"
                piece = "^" + piece
            if piece in rules:
                slots.append(rules[piece])
                i += size
                break
        else:
            slots.append([word[i]])
            i += 1
    return _spellings(slots)


def _spellings(slots: list[list[str]]) -> list[str]:
    """The primary spelling, each single alternative, and the full product when it stays
    small (people vary one letter more often than all of them)."""
    primary = [s[0] for s in slots]
    out = ["".join(primary)]
    for pos, options in enumerate(slots):
        for alt in options[1:]:
            out.append("".join([*primary[:pos], alt, *primary[pos + 1:]]))
    total = 1
    for options in slots:
        total *= len(options)
    if total <= _MAX_VARIANTS:
        out.extend("".join(p) for p in product(*slots))
    return out


def _hangul(word: str) -> list[str]:
    """Revised Romanization per syllable (jamo tables), with the spellings of older and
    personal romanisations as alternatives: 지훈 -> jihun, jihoon, chihun ..."""
    table = _data()["hangul"]
    slots: list[list[str]] = []
    for ch in word:
        index = ord(ch) - 0xAC00
        if not 0 <= index < 11172:
            slots.append([ch])
            continue
        lead, vowel, tail = (table["lead"][index // 588], table["vowel"][(index % 588) // 28],
                             table["tail"][index % 28])
        slots.append([lead, *table["lead_alternatives"].get(lead, [])])
        alternatives = table["vowel_alternatives"].get(vowel, [])
        if not lead:  # a syllable that starts with its vowel: 우 is also "woo", 이 "yi"
            alternatives = alternatives + table["bare_vowel_alternatives"].get(vowel, [])
        slots.append([vowel, *alternatives])
        slots.append([tail])
    return _spellings(slots)


_INDIC_VOWELS = {"a", "aa", "i", "ii", "u", "uu", "e", "ee", "ai", "o", "oo", "au",
                 "vocalic r", "vocalic rr", "vocalic l", "vocalic ll", "short e", "short o",
                 "candra e", "candra o", "short a"}
# Scripts whose word-final inherent vowel is not spoken (Hindi "राम" is Ram, not Rama).
_SCHWA_DELETING = ("DEVANAGARI", "BENGALI", "GUJARATI", "GURMUKHI", "ORIYA")


def _indic(word: str) -> str:
    """Letter-by-letter romanisation from Unicode character names, with the inherent vowel:
    anyascii drops it ("शर्मा" -> "srma"), people write it ("Sharma")."""
    out: list[str] = []
    inherent = False
    drop_final = False
    for ch in word:
        name = unicodedata.name(ch, "")
        script, _, rest = name.partition(" ")
        if " LETTER " in f" {rest} ":
            sound = rest.split("LETTER ", 1)[1].lower()
            if inherent:
                out.append("a")
            if sound in _INDIC_VOWELS:
                out.append(sound.replace("vocalic ", "r").split()[-1])
                inherent = False
            else:
                sound = sound.split()[-1]  # "khanda ta" -> "ta"
                out.append(sound[:-1] if sound.endswith("a") and len(sound) > 1 else sound)
                inherent = True
                drop_final = script in _SCHWA_DELETING
        elif "VOWEL SIGN" in rest:
            out.append(rest.split("VOWEL SIGN ", 1)[1].lower().replace("vocalic ", "r").split()[-1])
            inherent = False
        elif rest.startswith("SIGN VIRAMA") or rest.endswith("VIRAMA"):
            inherent = False
        elif rest.startswith(("SIGN ANUSVARA", "SIGN CANDRABINDU")):
            if inherent:
                out.append("a")
            out.append("n")
            inherent = False
        elif rest.startswith("SIGN VISARGA"):
            if inherent:
                out.append("a")
            out.append("h")
            inherent = False
        elif ch.isdigit():
            out.append(str(unicodedata.digit(ch, 0)))
    if inherent and not drop_final:
        out.append("a")
    return _ascii_word("".join(out))


@lru_cache(maxsize=65536)
def romanise(word: str) -> tuple[str, ...]:
    """Latin-letter spellings (lowercase ASCII) of a word in a non-Latin script, primary first.
    Empty for Latin words (fold_search() covers those)."""
    script = word_script(word)
    if script == LATIN:
        return ()
    folded = fold_search(word)
    found: list[str] = []
    known = _data()["names"].get(word)  # 张 -> zhang, chang, cheung; 佐藤 -> sato
    if known:
        found.extend(known)
    if script == GREEK:
        found.extend(_by_rules(folded, _data()["greek"]))
    elif script == CYRILLIC:  # not folded: й and ё are letters here, not и/е with accents
        found.extend(_by_rules(unicodedata.normalize("NFC", word.casefold()),
                               _data()["cyrillic"]))
    elif script == INDIC:
        found.append(_indic(word))
    elif script == HANGUL:
        found.extend(_hangul(word))
    found.append(_ascii_word(anyascii(folded)))
    unique = dict.fromkeys(w for w in (_ascii_word(f) for f in found) if w)
    return tuple(unique)[:_MAX_VARIANTS]


def latin_variants(word: str) -> tuple[str, ...]:
    """Other spellings of a Latin word whose letters people write two ways ("müller": "mueller")."""
    table: dict[str, list[str]] = _data()["latin_alternatives"]
    lowered = unicodedata.normalize("NFC", word.casefold())
    if not any(ch in table for ch in lowered):
        return ()
    slots = [[ch, *table.get(ch, [])] for ch in lowered]
    total = 1
    for options in slots:
        total *= len(options)
    if total > _MAX_VARIANTS:
        return (fold_search("".join(s[-1] for s in slots)),)
    return tuple(dict.fromkeys(fold_search("".join(p)) for p in product(*slots)))


_SKELETON_DROP = set("aeiouyw'")


def skeleton(ascii_word: str) -> str:
    """Consonants only, c/q as k, doubles collapsed: "mohammed" -> "mhmd", "cohen" -> "khn"."""
    out: list[str] = []
    for ch in ascii_word.replace("c", "k").replace("q", "k"):
        if ch in _SKELETON_DROP or not ch.isalpha():
            continue
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def loose(word: str) -> str:
    """Repeated letters collapsed ("grossmann" -> "grosman"), digits left alone (codes)."""
    out: list[str] = []
    for ch in word:
        if out and out[-1] == ch and ch.isalpha():
            continue
        out.append(ch)
    return "".join(out)


def wants_skeleton(script: str) -> bool:
    return script in (ABJAD, THAI, INDIC)


# Scripts whose romanisation a desk can read beside the name. Arabic and Hebrew are
# written without most vowels: their romanisation is a consonant skeleton ("mhmd"), which
# would mislead more than help, so those names stay as written.
_SPELLED_OUT = (GREEK, CYRILLIC, CJK, HANGUL, KANA, INDIC, THAI, OTHER)


def latin_word(word: str) -> str:
    """The primary Latin spelling of one name word, capitalised; the word itself when it
    is Latin already; "" when its script is not spelled out (see _SPELLED_OUT)."""
    script = word_script(word)
    if script == LATIN:
        return word
    if script not in _SPELLED_OUT:
        return ""
    spellings = romanise(word)
    return spellings[0].capitalize() if spellings else ""


def latin_spelling(attendee: "Attendee") -> str:
    """The Latin-letter spelling of a name written in another script, for people at a desk
    who cannot read that script ("Papadopoulos" beside "Παπαδόπουλος"); "" for a name in
    Latin letters, or one whose script is not spelled out. Only for the screen: the badge
    shows the name as the person writes it. An import's `latin_name` (extra) wins."""
    given = attendee.extra.get("latin_name") if isinstance(attendee.extra, dict) else None
    if isinstance(given, str) and given.strip():
        return given.strip()
    if attendee.badge_name:
        words = attendee.badge_name.split()
    else:
        parts = [attendee.given_name, attendee.family_name]
        if attendee.name_order == "family_first":
            parts.reverse()
        words = [w for part in parts for w in part.split()]
    if not any(word_script(w) != LATIN for w in words):
        return ""
    spelled = [latin_word(w) for w in words]
    if not all(spelled):
        return ""
    return " ".join(spelled)
