"""Turning cell text into field values: country codes, roles, status, name parts, order.

The word lists are data (assets/roles.toml, assets/names.toml, assets/countries.toml);
country names come from pycountry, German ones from pycountry's own gettext catalogue.
"""

import gettext
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from checkin import resources
from checkin.text import cjk_script, fold_compact, fold_words, has_cjk

# -- data files -------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    with open(resources.assets() / name, "rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def _names() -> dict[str, Any]:
    return _load("names.toml")


@lru_cache(maxsize=1)
def _keywords() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str]]:
    """(role, pattern) in priority order, and the cancelled-status pattern."""
    data = _load("roles.toml")

    def pattern(words: list[str]) -> re.Pattern[str]:
        parts = []
        for word in words:
            if word.startswith("="):
                parts.append(rf"\b{re.escape(fold_words(word[1:]))}\b")
            else:
                parts.append(rf"\b{re.escape(fold_words(word))}")
        return re.compile("|".join(parts))

    roles = [(role, pattern(words)) for role, words in data["roles"].items()]
    return roles, pattern(data["status"]["cancelled"])


# -- role and status --------------------------------------------------------------------


def parse_role(text: str) -> str:
    """Role from product/ticket/category text; "delegate" when no keyword matches."""
    folded = fold_words(text)
    if not folded:
        return "delegate"
    roles, _ = _keywords()
    for role, pattern in roles:
        if pattern.search(folded):
            return role
    return "delegate"


def parse_status(text: str) -> str:
    folded = fold_words(text)
    _, cancelled = _keywords()
    return "cancelled" if folded and cancelled.search(folded) else "confirmed"


# -- country ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    """Normalised spelling -> alpha-2: codes, English names (plain, official, common),
    their German translations, the unambiguous part before a comma ("Iran, Islamic
    Republic of" -> "Iran"), the inverted form ("Korea, Republic of" -> "Republic of
    Korea"), and the colloquial aliases in assets/countries.toml."""
    import pycountry

    try:
        german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
        translate = german.gettext
    except OSError:  # a pycountry without locales: English names still work
        def translate(message: str) -> str:
            return message

    table: dict[str, str] = {}
    ambiguous: set[str] = set()

    def add(spelling: str, code: str, *, weak: bool = False) -> None:
        key = fold_compact(spelling)
        if not key:
            return
        if weak and key in table and table[key] != code:
            ambiguous.add(key)
            return
        table.setdefault(key, code)

    weak_forms: list[tuple[str, str]] = []
    for country in pycountry.countries:
        code = country.alpha_2
        add(code, code)
        add(country.alpha_3, code)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name:
                continue
            for spelling in {name, translate(name)}:
                add(spelling, code)
                if ", " in spelling:
                    head, tail = spelling.split(", ", 1)
                    weak_forms.append((f"{tail} {head}", code))
                    weak_forms.append((head, code))
    for spelling, code in weak_forms:
        add(spelling, code, weak=True)
    for key in ambiguous:
        table.pop(key, None)
    for spelling, code in _load("countries.toml")["aliases"].items():
        table[fold_compact(spelling)] = code  # aliases are deliberate: they win
    return table


def parse_country(text: str) -> str | None:
    """ISO alpha-2 for a code or an English/German country name; "" for a placeholder that
    says "no country" ("n/a", "-", "keine Angabe"); None if not recognised.

    Beyond the table: a leading or trailing "the" ("Netherlands, The"), a code beside a
    name ("Germany (DE)", "DE - Germany", "Berlin, Germany": every recognised part must
    agree), then pycountry's fuzzy search, believed only where it cannot mislead.
    """
    stripped = " ".join(text.split()).casefold()
    if stripped in _blank_countries():
        return ""  # before folding: "N/A" would become "na", Namibia's code
    key = fold_compact(text)
    if not key:
        return None
    table = _country_table()
    spelled = fold_compact(_SAINT.sub("Saint ", text.replace("&", " and ")))
    for candidate in (key, spelled, key.removeprefix("the"), key.removesuffix("the")):
        if candidate in table:
            return table[candidate]
    parts = [fold_compact(p) for p in _COUNTRY_PARTS.split(text)]
    parts = [p for p in parts if p and p != "the"]
    if len(parts) > 1:
        found = {table[p] for p in parts if p in table}
        if len(found) == 1:
            return found.pop()
        if found:
            return None  # "Germany / Austria": two countries, not one
    return _fuzzy_country(text)


_SAINT = re.compile(r"\bSt\.?\s+", re.IGNORECASE)  # "St. Lucia" = "Saint Lucia"
# Separators between a country's name and a code or place written beside it.
_COUNTRY_PARTS = re.compile(r"[()\[\],/|;]|\s[-–—]\s")


@lru_cache(maxsize=1)
def _blank_countries() -> frozenset[str]:
    return frozenset(" ".join(s.split()).casefold() for s in _load("countries.toml")["blank"])


@lru_cache(maxsize=4096)
def _fuzzy_country(text: str) -> str | None:
    """pycountry's fuzzy search, believed only when it finds one country and the text is a
    part of that country's own name ("Micronesia") or exactly the name of one of its
    subdivisions ("Bavaria", "Berlin"). Its substring matches over subdivisions alone
    are not believed: they turned "Kosovo" into Serbia and "none" into Italy."""
    import pycountry

    key = fold_compact(text)
    # Short strings ('xx', 'ab') fuzzy-match subdivision codes; only believe real words.
    if not 4 <= len(text) <= 80 or not any(ch.isalpha() for ch in text):
        return None
    try:
        found = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    except Exception:  # a lookup aid must never break an import
        return None
    if len(found) != 1:
        return None
    country = found[0]
    names = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
    if any(key in fold_compact(name) for name in names if name):
        return str(country.alpha_2)
    code = country.alpha_2
    subdivisions = [sub for sub in pycountry.subdivisions if sub.country_code == code]
    if any(fold_compact(sub.name) == key for sub in subdivisions):
        return str(country.alpha_2)
    return None


# -- names ------------------------------------------------------------------------------


@dataclass
class NameParts:
    given_name: str = ""
    family_name: str = ""
    title: str = ""
    salutation: str = ""
    suffix: str = ""


def _suffix_key(word: str) -> str:
    return word.casefold().rstrip(".").rstrip(",")


@lru_cache(maxsize=1)
def _title_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(titles matched with or without a dot, titles that need their dot, salutations)."""
    data = _names()
    titles = [t.casefold() for t in data["titles"]]
    return (frozenset(t for t in titles if not t.endswith(".")),
            frozenset(t for t in titles if t.endswith(".")),
            frozenset(s.casefold().rstrip(".") for s in data["salutations"]))


def _is_title(word: str) -> bool:
    bare, dotted, _ = _title_words()
    key = word.casefold().rstrip(",")
    if key.rstrip(".") in bare or key in dotted:
        return True
    # Chains written without spaces: "Dr.med.", "Prof.Dr.", "Dr.-Ing."
    parts = [p for p in re.split(r"[.-]", key) if p]
    return (len(parts) > 1 and key.endswith(".")
            and all(p in bare or f"{p}." in dotted for p in parts))


def peel_titles(text: str) -> tuple[str, str, str]:
    """(titles, salutation, rest): "Frau Prof. Dr. med. Anna Weber" -> ("Prof. Dr. med.",
    "Frau", "Anna Weber"). Never peels the last word (a person named "Sir" keeps it)."""
    if " " not in text:
        return "", "", text
    _, _, salutations = _title_words()
    words = text.split()
    peeled_titles: list[str] = []
    peeled_salutation: list[str] = []
    while len(words) > 1:
        key = words[0].casefold().rstrip(".,")
        if key in salutations and not peeled_titles and not peeled_salutation:
            peeled_salutation.append(words.pop(0))
        elif _is_title(words[0]):
            peeled_titles.append(words.pop(0))
        else:
            break
    return " ".join(peeled_titles), " ".join(peeled_salutation), " ".join(words)


@lru_cache(maxsize=4096)  # titles repeat all file long ("Dr.", "Prof. Dr.")
def split_title(text: str) -> tuple[str, str]:
    """(title, salutation) of a title cell: "Ms." -> ("", "Ms."), "Frau Dr." -> ("Dr.",
    "Frau"), "Prof. Dr." -> ("Prof. Dr.", ""). Text that is neither stays the title."""
    _, _, salutations = _title_words()
    words = text.split()
    found = [w for w in words if w.casefold().rstrip(".,") in salutations]
    if not found:
        return text, ""
    rest = [w for w in words if w not in found]
    return " ".join(rest), " ".join(found)


def split_full_name(text: str, country: str = "") -> NameParts:
    """Split one full-name cell sensibly.

    - Titles and salutations at the front are peeled off ("Prof. Dr. Anna Weber"), and
      post-nominals at the end ("Anna Weber, PhD", "John Smith Jr.") kept as a suffix.
    - "Family, Given" (what follows the comma is not a post-nominal like PhD); titles
      may stand before the family name or after the given name ("Dr. Weber, Anna",
      "Weber, Anna, Dr.").
    - An unspaced CJK name: the first character is the family name (two for a known
      compound surname such as 欧阳 or 남궁; a Japanese name's leading kanji before kana).
    - CJK with spaces (王 秀英) and Vietnamese names (Nguyễn Văn An): the first word; so
      too a Latin-letter name from a family-first country that starts with a common
      family name there and does not end with one ("Horváth Krisztina", "Kim Min-jun").
    - A part written in capitals at the start or end is the family name ("DUPONT
      Jean-Pierre", "Anna VON DER LEYEN", "ZHANG Wei"), as international forms ask.
    - Otherwise the last word, extended leftwards over particles ("van Beethoven",
      "Ó Súilleabháin") and, for Spanish-naming countries, over a second surname with
      its particles ("Fernández de Córdoba").
    """
    parts = NameParts()
    data = _names()
    text = " ".join(text.split())
    if "," in text:
        head, _, tail = text.partition(",")
        pieces = [w.strip() for w in tail.split(",") if w.strip()]
        if pieces and all(_is_suffix_text(piece) for piece in pieces):
            parts.suffix = ", ".join(pieces)
            text = head.strip()
        elif pieces:
            given_text, trailing = pieces[0], pieces[1:]
            trailing_titles = [t for t in trailing if _is_title_text(t)]
            suffixes = [t for t in trailing if not _is_title_text(t) and _is_suffix_text(t)]
            if len(trailing_titles) + len(suffixes) == len(trailing):
                head_title, head_salutation, family = peel_titles(head.strip())
                title, salutation, given = peel_titles(given_text)
                parts.title = " ".join(t for t in (head_title, title, *trailing_titles) if t)
                parts.salutation = head_salutation or salutation
                parts.suffix = ", ".join(suffixes)
                parts.given_name, parts.family_name = given, family
                return parts
    parts.title, parts.salutation, rest = peel_titles(text)
    words = rest.split()
    trailing_suffixes: list[str] = []
    while len(words) > 2 and _suffix_key(words[-1]) in _BARE_SUFFIXES:
        trailing_suffixes.insert(0, words.pop())
    if trailing_suffixes:
        parts.suffix = " ".join(trailing_suffixes)
        rest = " ".join(words)
    if not words:
        return parts
    if len(words) == 1:
        word = words[0]
        if _cjk_script(word) and len(word) > 1:
            family = _cjk_family(word)
            parts.family_name, parts.given_name = family, word[len(family):]
        else:
            parts.family_name = word  # one word: a family name prints and sorts better
        return parts
    capitals = _capitalised_family(words)
    if capitals is not None:
        parts.given_name, parts.family_name = capitals
        return parts
    if (_cjk_script(rest) or country in data["latin_family_first_countries"]
            or _family_name_first(words, country)):
        parts.family_name, parts.given_name = words[0], " ".join(words[1:])
        return parts
    particles = set(data["particles"])

    def is_particle(word: str) -> bool:
        return word.casefold().rstrip("'’") in particles

    surnames = 2 if country in data["two_surname_countries"] else 1
    start = len(words)
    for _ in range(surnames):
        # One surname: a word and the particles before it; the given name keeps one word.
        if start <= 1:
            break
        start -= 1
        while start > 1 and is_particle(words[start - 1]):
            start -= 1
    parts.given_name = " ".join(words[:start])
    parts.family_name = " ".join(words[start:])
    return parts


def _is_capitalised(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _capitalised_family(words: list[str]) -> tuple[str, str] | None:
    """(given, family) when the family name is the part written in capitals, at the start
    or the end ("DUPONT Jean-Pierre", "Anna VON DER LEYEN", "ZHANG Wei"): the convention
    of French and international registration forms. None when the capitals say nothing
    (no capitals, all capitals, or capitals in the middle)."""
    flags = [_is_capitalised(w) for w in words]
    if all(flags) or not any(flags):
        return None
    lead = next(i for i, flag in enumerate(flags) if not flag)
    if lead and not any(flags[lead:]):
        return " ".join(words[lead:]), " ".join(words[:lead])
    trail = next(i for i, flag in enumerate(reversed(flags)) if not flag)
    if trail and not any(flags[:-trail]):
        start = len(words) - trail
        particles = _names()["particles"]
        while start > 1 and words[start - 1].casefold().rstrip("'’") in particles:
            start -= 1  # "Pierre van DAMME": the particle belongs to the family name
        return " ".join(words[:start]), " ".join(words[start:])
    return None


@lru_cache(maxsize=1)
def _romanised_family_names() -> dict[str, frozenset[str]]:
    """Country -> folded common family names (names.toml [romanised_family_names])."""
    table: dict[str, frozenset[str]] = {}
    for group in _names().get("romanised_family_names", {}).values():
        names = frozenset(fold_words(name) for name in group["names"])
        for country in group["countries"]:
            table[country] = table.get(country, frozenset()) | names
    return table


def _family_name_first(words: list[str], country: str) -> bool:
    """A Latin-letter name from a family-first country written family first: the first
    word is a common family name there and the last is not ("Horváth Krisztina")."""
    known = _romanised_family_names().get(country)
    if not known:
        return False
    return fold_words(words[0]) in known and fold_words(words[-1]) not in known


# Post-nominals recognised at the end of a name without a comma: only those that cannot
# be a family name ("Yo-Yo Ma" keeps "Ma"; "MA" after a comma is a degree).
_BARE_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "jun", "sen"})


def _is_suffix_text(text: str) -> bool:
    words = [w for w in re.split(r"[\s,]+", text) if w]
    return bool(words) and all(_suffix_key(w) in _names()["suffixes"] for w in words)


def is_courtesy_title(text: str) -> bool:
    """Whether every word of text is an academic title or a salutation ("Prof. Dr. med.",
    "Mr", "Frau Dr."): what a badge may print before a name, unlike a job title."""
    _, _, salutations = _title_words()
    degrees = _names()["suffixes"]  # "PhD", "MD", "M.Sc." in a title column: academic too
    words = text.replace("(", " ").replace(")", " ").split()
    return bool(words) and all(_is_title(w) or w.casefold().rstrip(".,") in salutations
                               or w.casefold().replace(".", "").rstrip(",") in degrees
                               for w in words)


def _is_title_text(text: str) -> bool:
    words = text.split()
    return bool(words) and all(_is_title(w) for w in words)


def _cjk_family(word: str) -> str:
    compounds = _names()["cjk_compound_surnames"]
    for compound in compounds:
        if word.startswith(compound) and len(word) > len(compound):
            return str(compound)
    # Japanese: kanji family name followed by a kana given name (高橋さくら).
    leading = 0
    while leading < len(word) and cjk_script(word[leading]) == "han":
        leading += 1
    if 0 < leading < len(word) and any(cjk_script(c) == "kana" for c in word[leading:]):
        return word[:leading]
    units = len(word) - sum(ch in _ITERATION_MARKS for ch in word)
    if units >= 4 and leading == len(word):
        # four Han characters (a repeat mark counts with the one it repeats): most often
        # 2 + 2 (Japanese, compound Chinese)
        return _first_units(word, 2)
    return _first_units(word, 1)


# A repeat mark doubles the character before it (佐々木 is 佐佐木): never a name's start.
_ITERATION_MARKS = "々〻ゝゞヽヾ"


def _first_units(word: str, count: int) -> str:
    """The first count characters of word, each with the repeat marks that follow it."""
    end = 0
    for _ in range(count):
        end += 1
        while end < len(word) and word[end] in _ITERATION_MARKS:
            end += 1
    return word[:end]


def _cjk_script(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(cjk_script(ch) is not None for ch in letters)


_FAMILY_FIRST_WORDS = {"familyfirst", "family", "surnamefirst", "lastfirst", "fn", "ff",
                       "nachnamezuerst", "familiennamezuerst", "eastern", "east"}
_GIVEN_FIRST_WORDS = {"givenfirst", "given", "firstfirst", "firstlast", "gf", "western",
                      "west", "vornamezuerst"}


def parse_name_order(text: str) -> str | None:
    key = fold_compact(text)
    if key in _FAMILY_FIRST_WORDS:
        return "family_first"
    if key in _GIVEN_FIRST_WORDS:
        return "given_first"
    return None


def infer_name_order(given_name: str, family_name: str, country: str) -> str:
    """family_first for names written in Han, kana or Hangul, or from a family-first country."""
    if has_cjk(given_name) or has_cjk(family_name):
        return "family_first"
    if country in _names()["family_first_countries"]:
        return "family_first"
    return "given_first"


# -- days -------------------------------------------------------------------------------

_DAY_SPLIT = re.compile(r"[,;/|\s+&]+")
_DAY_NUMBER = re.compile(r"^(?:day|tag)?(\d{1,2})$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[t ][\d:.]+)?\b")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_SLASHED_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
# Words around days in cells and tick-column headers ("Teilnahme Tag 1", "am 29.11.").
_DAY_FILLERS = {"und", "and", "only", "nur", "sowie", "am", "on", "teilnahme", "anwesenheit",
                "participation", "attendance", "registered", "angemeldet"}
# Weekday names and abbreviations, English and German (Monday = 0).
_WEEKDAYS = {
    **{w: i for i, w in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                   "saturday", "sunday"))},
    **{w: i for i, w in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{w: i for i, w in enumerate(("montag", "dienstag", "mittwoch", "donnerstag", "freitag",
                                   "samstag", "sonntag"))},
    **{w: i for i, w in enumerate(("mo", "di", "mi", "do", "fr", "sa", "so"))},
    "sonnabend": 5, "tues": 1, "thur": 3, "thurs": 3,
}


def parse_days(text: str, event_days: list[str]) -> list[str] | None:
    """Registered days: dates (ISO, German "29.11.2026" or "29.11.", and "11/29/2026"
    where the event's days say which of day and month comes first), day numbers ("1",
    "Day 2", "Tag 2") and weekday names ("Montag", "Mon") of the event.

    Empty text means every day ([]); None when the text cannot be read as days.
    """
    days: list[str] = []
    rest = text.strip().casefold()

    def take(pattern: re.Pattern[str], resolve: Callable[[re.Match[str]], str | None]) -> bool:
        nonlocal rest
        for match in list(pattern.finditer(rest)):
            found = resolve(match)
            if found is None:
                return False
            days.append(found)
        rest = pattern.sub(" ", rest)
        return True

    if not (take(_ISO_DATE, lambda m: _date(int(m[1]), int(m[2]), int(m[3])))
            and take(_DOTTED_DATE, lambda m: _dotted(m, event_days))
            and take(_SLASHED_DATE, lambda m: _slashed(m, event_days))):
        return None
    tokens = [t for t in _DAY_SPLIT.split(rest) if t]
    i = 0
    while i < len(tokens):
        token = tokens[i].rstrip(".")
        if token in ("day", "tag") and i + 1 < len(tokens):
            token += tokens[i + 1]
            i += 1
        i += 1
        if token in ("all", "alle", "both", "beide"):
            return []
        if token in _DAY_FILLERS or token in ("days", "tage"):
            continue
        number = _DAY_NUMBER.match(token)
        if number:
            index = int(number.group(1)) - 1
            if not 0 <= index < len(event_days):
                return None
            days.append(event_days[index])
            continue
        if token in _WEEKDAYS:
            matching = [d for d in event_days
                        if date.fromisoformat(d).weekday() == _WEEKDAYS[token]]
            if len(matching) != 1:
                return None  # no such day in the event, or two (a two-week event)
            days.append(matching[0])
            continue
        return None
    return sorted(set(days))


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _full_year(text: str | None, month: int, day: int, event_days: list[str]) -> int | None:
    if text:
        return int(text) + (2000 if len(text) == 2 else 0)
    for known in event_days:  # "29.11.": the year of the event day it names
        found = date.fromisoformat(known)
        if (found.month, found.day) == (month, day):
            return found.year
    return date.fromisoformat(event_days[0]).year if event_days else None


def _dotted(match: re.Match[str], event_days: list[str]) -> str | None:
    day, month = int(match[1]), int(match[2])
    year = _full_year(match[3], month, day, event_days)
    return None if year is None else _date(year, month, day)


def _slashed(match: re.Match[str], event_days: list[str]) -> str | None:
    """"11/29/2026" (US) or "29/11/2026": whichever reading is an event day; else a reading
    only one of the two allows; else (both valid, neither an event day) unreadable."""
    a, b = int(match[1]), int(match[2])
    year = _full_year(match[3], 0, 0, event_days)
    if year is None:
        return None
    readings = {r for r in (_date(year, b, a), _date(year, a, b)) if r}
    in_event = readings & set(event_days)
    if len(in_event) == 1:
        return in_event.pop()
    return readings.pop() if len(readings) == 1 else None


_TICKS = frozenset({"x", "ja", "j", "yes", "y", "1", "true", "wahr", "✓", "✔", "☑", "✗", "•",
                    "+", "ok"})
_NO_TICKS = frozenset({"", "nein", "n", "no", "0", "false", "falsch", "-", "–", "—", "☐"})


def checkmark(text: str) -> bool | None:
    """A day-column cell: True for a tick ("x", "ja", "✓", "1"), False for a blank or
    "nein"/"no"/"0", None for anything else (then the column is no tick column)."""
    key = text.strip().casefold()
    if key in _TICKS:
        return True
    if key in _NO_TICKS:
        return False
    return None
