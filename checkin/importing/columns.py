"""Which column holds which field: header names from assets/columns.toml, matched
case-, accent-, punctuation- and space-insensitively, and the header row found among
title rows above it."""

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from checkin import resources
from checkin.text import fold_compact

# Fields a column can be mapped to (with --map too). "name" is a full-name column that is
# split; "order"/"position" build the id; "salutation" goes to extra; "ignore" drops it.
FIELDS = ("id", "order", "position", "code", "title", "salutation", "given_name", "family_name",
          "name", "badge_name", "name_order", "organisation", "country", "email", "role",
          "status", "days", "notes")
MAP_TARGETS = (*FIELDS, "extra", "ignore")
FALLBACK_FIELDS = ("email", "organisation", "country", "role", "code")
HEADER_SEARCH_ROWS = 30  # title rows above the header: look this far down


def header_key(text: str) -> str:
    """'Attendee name: Given name' -> 'attendeenamegivenname'; 'E-Mail' -> 'email'.

    '#' reads as 'nr' ("Attendee #" is a number, "Attendee" a name; "#" alone = "Nr.")."""
    return fold_compact(text.replace("#", "nr"))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, int]]:
    """Normalised column name -> (field, rank) from assets/columns.toml; rank is the
    spelling's place in its list: when two columns mean the same field, the better-ranked
    one wins ("Attendee email" over the order's "Email")."""
    with open(resources.assets() / "columns.toml", "rb") as handle:
        data = tomllib.load(handle)
    table: dict[str, tuple[str, int]] = {}
    for name, spellings in data["fields"].items():
        if name not in FIELDS:
            raise ValueError(f"columns.toml: unknown field {name!r}")
        for rank, spelling in enumerate(spellings):
            key = header_key(spelling)
            if key and key not in table:  # a spelling listed twice: the first field wins
                table[key] = (name, rank)
        table.setdefault(header_key(name), (name, 0))
    return table


def field_for(header: str) -> str | None:
    found = _lookup(header)
    return found[0] if found else None


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*")


def _lookup(header: str) -> tuple[str, int] | None:
    """(field, rank) for a header: as written; else without a bracketed qualifier or a
    required-field star ("First name (as on badge)", "Last name(s)", "E-Mail *"); else
    from alternatives written with a slash, when those that are known agree
    ("Organization/Affiliation", "Surname / Family name", "Country / Region of residence")."""
    table = synonyms()
    key = header_key(header)
    if not key:
        return None
    found = table.get(key)
    if found or not ("(" in header or "[" in header or "*" in header or "/" in header):
        return found
    bare = _BRACKETS.sub(" ", header)
    found = table.get(header_key(bare))
    if found or "/" not in bare:
        return found
    hits = [hit for hit in (table.get(header_key(part)) for part in bare.split("/")) if hit]
    if hits and len({name for name, _ in hits}) == 1:
        return min(hits, key=lambda hit: hit[1])
    return None


def header_score(row: list[str]) -> int:
    """How many cells of row are known column names (distinct fields)."""
    return len({f for f in (field_for(cell) for cell in row if cell.strip()) if f})


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the row that best matches known headers among the first rows, or None.

    A header needs at least two known names, or one that is a name column: a single
    known word in a title line ("Conference registrations") is not a header.
    """
    best, best_score = None, 0
    single_column = max((len(row) for row in rows[:HEADER_SEARCH_ROWS]), default=0) == 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(row)
        fields = {field_for(cell) for cell in row}
        has_name = bool(fields & {"given_name", "family_name", "name"})
        # One known name alone heads a table only when it has other columns, or when the
        # whole file is a single column of names.
        lone_name = score == 1 and has_name and (len(row) > 1 or single_column)
        if (score >= 2 or lone_name) and score > best_score:
            best, best_score = index, score
    return best


@dataclass
class ColumnMap:
    """field -> column index for the recognised columns; everything else goes to extra."""

    fields: dict[str, int] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)  # column index -> header text
    # field -> further columns that mean it, best first: read when the chosen cell is empty
    # (pretix: "Attendee email" is often blank where the order's "Email" is not).
    fallbacks: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    forced: set[str] = field(default_factory=set)  # fields named by --map: never second-guessed


class MapError(ValueError):
    """A --map entry names no column of the file or an unknown field."""


def map_columns(header: list[str], overrides: dict[str, str] | None = None) -> ColumnMap:
    """Assign each column a field; when two columns mean the same field, the better-ranked
    spelling wins (then the first column), and the other goes to extra.

    overrides: column header (as written, matched like any header) -> field or "extra" or
    "ignore". Raises MapError for a column the file does not have.
    """
    overrides = overrides or {}
    by_key = {header_key(k) or k: v for k, v in overrides.items()}
    chosen: dict[int, str] = {}
    matched: set[str] = set()
    for index, cell in enumerate(header):
        key = header_key(cell) or cell.strip()
        if key in by_key:
            chosen[index] = by_key[key]
            matched.add(key)
    for key, target in by_key.items():
        if key not in matched:
            wanted = next(k for k in overrides if (header_key(k) or k) == key)
            raise MapError(f"--map {wanted}={target}: the file has no column {wanted!r}")
    result = ColumnMap(headers=list(header))
    taken = {target for target in chosen.values() if target in FIELDS}
    candidates: dict[str, list[tuple[int, int]]] = {}  # field -> [(rank, column)]
    for index, cell in enumerate(header):
        if index in chosen:
            continue
        found = _lookup(cell)
        if found and found[0] not in taken:
            candidates.setdefault(found[0], []).append((found[1], index))
    guessed = {}
    for name, ranked in candidates.items():
        ranked.sort()
        guessed[ranked[0][1]] = name
        if len(ranked) > 1 and name in FALLBACK_FIELDS:
            result.fallbacks[name] = [index for _, index in ranked[1:]]
    for index, cell in enumerate(header):
        if index in chosen:
            target = chosen[index]
            if target == "ignore":
                continue
            if target in FIELDS and target not in result.fields:
                result.fields[target] = index
                result.forced.add(target)
            else:
                result.extra[index] = cell
        elif index in guessed:
            result.fields[guessed[index]] = index
        else:
            result.extra[index] = cell if cell.strip() else f"column {index + 1}"
    _resolve_name(result)
    return result


def _resolve_name(columns: ColumnMap) -> None:
    """'Name' beside 'Vorname' is the family name (German lists: Vorname; Name).
    'Position' only numbers an order's positions: beside a per-person id or without an
    order column it is something else (Indico's job position) and stays in extra."""
    fields = columns.fields
    if "position" in fields and ("id" in fields or "order" not in fields):
        index = fields.pop("position")
        columns.extra[index] = columns.headers[index]
    if "name" in fields and "given_name" in fields and "family_name" not in fields:
        fields["family_name"] = fields.pop("name")
    elif "name" in fields and "family_name" in fields and "given_name" not in fields:
        fields["given_name"] = fields.pop("name")
    elif "name" in fields and "given_name" in fields and "family_name" in fields:
        index = fields.pop("name")
        columns.extra[index] = columns.headers[index]
