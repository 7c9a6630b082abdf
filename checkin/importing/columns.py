"""Which column holds which field: header names from assets/columns.toml, matched
case-, accent-, punctuation- and space-insensitively, and the header row found among
title rows above it."""

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from checkin import resources

# Fields a column can be mapped to (with --map too). "name" is a full-name column that is
# split; "order"/"position" build the id; "salutation" goes to extra; "ignore" drops it.
FIELDS = ("id", "order", "position", "code", "title", "salutation", "given_name", "family_name",
          "name", "badge_name", "name_order", "organisation", "country", "email", "role",
          "status", "days", "notes")
MAP_TARGETS = (*FIELDS, "extra", "ignore")
HEADER_SEARCH_ROWS = 30  # title rows above the header: look this far down

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """'Attendee name: Given name' -> 'attendeenamegivenname'; 'E-Mail' -> 'email'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", plain)


@lru_cache(maxsize=1)
def synonyms() -> dict[str, str]:
    """Normalised column name -> field, from assets/columns.toml."""
    with open(resources.assets() / "columns.toml", "rb") as handle:
        data = tomllib.load(handle)
    table: dict[str, str] = {}
    for name, spellings in data["fields"].items():
        if name not in FIELDS:
            raise ValueError(f"columns.toml: unknown field {name!r}")
        for spelling in spellings:
            key = normalise(spelling)
            if key and key not in table:  # first listing wins
                table[key] = name
        table.setdefault(normalise(name), name)
    # '#' alone normalises to '': it cannot be a key; keep it explicit.
    return table


def field_for(header: str) -> str | None:
    key = normalise(header)
    if not key:
        return "id" if header.strip() == "#" else None
    return synonyms().get(key)


def header_score(row: list[str]) -> int:
    """How many cells of row are known column names (distinct fields)."""
    return len({f for f in (field_for(cell) for cell in row if cell.strip()) if f})


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the row that best matches known headers among the first rows, or None.

    A header needs at least two known names, or one that is a name column: a single
    known word in a title line ("Conference registrations") is not a header.
    """
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(row)
        fields = {field_for(cell) for cell in row}
        has_name = bool(fields & {"given_name", "family_name", "name"})
        if (score >= 2 or (score == 1 and has_name and len(row) > 1)) and score > best_score:
            best, best_score = index, score
    return best


@dataclass
class ColumnMap:
    """field -> column index for the recognised columns; everything else goes to extra."""

    fields: dict[str, int] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)  # column index -> header text
    headers: list[str] = field(default_factory=list)


class MapError(ValueError):
    """A --map entry names no column of the file or an unknown field."""


def map_columns(header: list[str], overrides: dict[str, str] | None = None) -> ColumnMap:
    """Assign each column a field; the first column wins when two mean the same field.

    overrides: column header (as written, matched like any header) -> field or "extra" or
    "ignore". Raises MapError for a column the file does not have.
    """
    overrides = overrides or {}
    by_key = {normalise(k) or k: v for k, v in overrides.items()}
    chosen: dict[int, str] = {}
    matched: set[str] = set()
    for index, cell in enumerate(header):
        key = normalise(cell) or cell.strip()
        if key in by_key:
            chosen[index] = by_key[key]
            matched.add(key)
    for key, target in by_key.items():
        if key not in matched:
            wanted = next(k for k in overrides if (normalise(k) or k) == key)
            raise MapError(f"--map {wanted}={target}: the file has no column {wanted!r}")
    result = ColumnMap(headers=list(header))
    taken = {target for target in chosen.values() if target in FIELDS}
    for index, cell in enumerate(header):
        if index in chosen:
            target = chosen[index]
            if target == "ignore":
                continue
            if target in FIELDS and target not in result.fields:
                result.fields[target] = index
            else:
                result.extra[index] = cell
            continue
        guessed = field_for(cell)
        if guessed and guessed not in result.fields and guessed not in taken:
            result.fields[guessed] = index
        elif cell.strip():
            result.extra[index] = cell
        else:
            result.extra[index] = f"column {index + 1}"
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
