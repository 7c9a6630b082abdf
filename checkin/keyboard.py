"""Undo what a keyboard layout did to a handheld scanner's input.

A scanner configured for a US layout, plugged into a German (QWERTZ), French or Belgian
(AZERTY) machine, types the US keys and the machine reads them as its own characters: Y and Z
swap, digits arrive as ``& é " ' ( - è _ ç à``, ``:`` becomes ``Ö``. Caps Lock inverts
the case of every letter. An East Asian input method in fullwidth mode types ``ＣＫ１``
for ``CK1``. The character tables are data (assets/keyboard_layouts.toml);
this module turns one input into the candidate texts the scanner may have meant.

Repairs are only candidates: the engine (checkin.admission) accepts one only when the
repaired text verifies as a signed token, or matches exactly one attendee's code.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin import resources

CAPS = "caps"  # the repair name for an inverted letter case
FULLWIDTH = "fullwidth"  # the repair name for an input method typing fullwidth forms
# A Chinese/Japanese/Korean input method left in fullwidth mode turns what the scanner
# types into fullwidth forms (ＣＫ１...): U+FF01-FF5E are ASCII 0x21-0x7E moved up.
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    table: dict[int, str]  # str.translate table: received code point -> meant character
    caps_lock: bool = False  # only ever seen with Caps Lock on: undo the case swap first

    def repair(self, text: str) -> str:
        return text.translate(self.table)


def default_path() -> Path:
    return resources.assets() / "keyboard_layouts.toml"


def load_layouts(path: Path | None = None) -> list[Layout]:
    """The layouts in the data file, in file order (a `base` layout is copied, then overridden)."""
    data: dict[str, Any] = tomllib.loads((path or default_path()).read_text(encoding="utf-8"))
    raw: dict[str, Any] = data.get("layouts", {})
    layouts: list[Layout] = []
    resolved: dict[str, dict[str, str]] = {}
    for name, spec in raw.items():
        mapping: dict[str, str] = {}
        base = spec.get("base")
        if base:
            if base not in resolved:
                raise ValueError(f"keyboard layout {name!r}: base {base!r} must come first")
            mapping.update(resolved[base])
        mapping.update({str(k): str(v) for k, v in spec.get("map", {}).items()})
        for key in mapping:
            if len(key) != 1:
                raise ValueError(f"keyboard layout {name!r}: {key!r} is not one character")
        resolved[name] = mapping
        table = {ord(k): v for k, v in mapping.items()}
        layouts.append(Layout(name, str(spec.get("description", "")), table,
                              bool(spec.get("caps_lock", False))))
    return layouts


def swap_ascii_case(text: str) -> str:
    """What Caps Lock did: ASCII letters change case, everything else stays."""
    return "".join(
        ch.swapcase() if ("a" <= ch <= "z" or "A" <= ch <= "Z") else ch for ch in text
    )


def candidates(text: str, layouts: list[Layout]) -> list[tuple[str, str]]:
    """(repair name, text) pairs other than text itself, most likely first, no duplicates.

    Caps Lock acts before the layout on the machine, so the inverse is: swap the case
    first, then apply the layout table ("de+caps").
    """
    seen = {text}
    out: list[tuple[str, str]] = []

    def add(name: str, repaired: str) -> None:
        if repaired not in seen:
            seen.add(repaired)
            out.append((name, repaired))

    narrow = text.translate(_NARROW)
    # Only a wholly fullwidth input: a single fullwidth character in a token is an
    # alteration, never what an input method does (every single-character change of a
    # token must stay rejected).
    if narrow != text and not any("!" <= ch <= "~" for ch in text):
        add(FULLWIDTH, narrow)
        add(f"{FULLWIDTH}+{CAPS}", swap_ascii_case(narrow))
    swapped = swap_ascii_case(text)
    add(CAPS, swapped)
    for layout in layouts:
        if not layout.caps_lock:
            add(layout.name, layout.repair(text))
        add(f"{layout.name}+{CAPS}", layout.repair(swapped))
    return out
