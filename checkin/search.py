"""Type-ahead search over attendees: an in-memory prefix index, built once, kept warm.

API
---
- ``Searcher.from_store(store)`` builds the index from the attendees table (100,000
  attendees: a few seconds; the UI builds it once on its db lane and keeps it).
- ``searcher.refresh(store) -> bool`` picks up attendees created/edited since the last
  build or refresh (read from the event log); call it before a search, it costs one
  indexed query when nothing changed. Small changes go to an overlay (a segment indexing
  only the attendees changed; up to MAX_OVERLAYS, then they are joined into one); big
  ones (more than 2,000 or 5 % of the attendees: an import) rebuild.
- checkin.search_cache keeps the index across starts in a file beside the database
  (``open_searcher``); an index read from it is lazy views into that file, and a damage
  found only then (IndexDamaged) makes ``searcher.search`` rebuild from the database.
- ``searcher.search_ids(query, *, limit=20, day=None) -> list[str]`` and
  ``searcher.search(store, query, ...) -> list[Attendee]``: ranked results.
  Thread-safe for one writer (refresh) and many readers (search): state is swapped whole.
- ``search(store, query, *, limit=20, day=None) -> list[Attendee]``: one-off convenience
  (builds a Searcher per call: fine for the CLI and small events, not per keystroke).
- ``search_key(attendee) -> str``: folded text stored in attendees.search_key by the store's
  writers (kept for SQL-side filtering; the index here does not read it).

Matching: every query word must match (as a prefix) some word of the attendee's given,
family or badge name, organisation, e-mail (local part and domain, not the TLD), code, id
or a string value in extra. Case- and accent-insensitive (checkin.text.fold_search), German
umlaut spellings ("mueller"), apostrophes ignored ("obrien"), doubled letters ignored
("grosmann"), native scripts as typed, CJK family+given written together in either order
("张伟"), Latin-letter queries for other scripts by romanisation ("papadopoulos",
"smirnova", "zhang", "cheung", "sharma"; rules and name tables in
assets/search/romanisation.json), consonant skeletons for Arabic/Hebrew/Thai/Indic names
("mohammed", "cohen", "somchai"), and typo tolerance (one edit, words of 5+ letters, no
digits) when the other matches leave room under the limit.

Ranking: every word exact, then prefix, then approximate (skeleton or one edit); within
a tier, matches in a name before matches only in organisation/e-mail/code (for 1-2 letter
queries names lead outright: a single letter "exactly" matches initials); then, with
day=, attendees registered for that day; then family/given name order. Cancelled
attendees are found like everyone else (the desk must be able to tell them so).

Why an in-memory index, not SQLite FTS5 (bench/bench_search.py measures both, 100k
attendees, this 2-core machine): FTS5 with LIMIT 20 answers a prefix query faster (p95
0.2 ms against 0.7-1.4 ms here), but it returns an arbitrary 20 of the matches: it cannot
rank exact > prefix > approximate, has no typo tolerance, and unicode61 cannot fold
ß/ø/ł, umlaut spellings or romanisations (they would be stored as text anyway). Both are
far inside the 10 ms budget, so the index that returns the right 20 wins. Its cost:
~2-4 s to build for 100k attendees (the 400-delegate demo ~30 ms) and ~120 MB; kept in a
45 MB file (checkin.search_cache), it is read in a few milliseconds at the next start.
"""

from __future__ import annotations

import heapq
import json
import logging
import re
import string
import threading
import tomllib
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from checkin import resources
from checkin.models import Attendee
from checkin.romanise import (
    CJK,
    HANGUL,
    KANA,
    LATIN,
    latin_variants,
    loose,
    romanise,
    skeleton,
    wants_skeleton,
    word_script,
)
from checkin.text import fold_search as fold
from checkin.text import has_cjk

if TYPE_CHECKING:
    from checkin.store import Store

__all__ = ["IndexDamaged", "Searcher", "fold", "search", "search_key", "tokens"]

log = logging.getLogger(__name__)


class IndexDamaged(Exception):
    """An index read from a cache file found itself damaged (checkin.search_cache):
    Searcher.search then rebuilds it from the database and searches again."""

_NUL = "\0"
_SKEL = "\x01"  # marks consonant-skeleton keys, so plain queries never prefix-match them
_END = "\x02"  # ends a skeleton key, so a short skeleton ("ali" -> "l") matches exactly
_MAX_QUERY_WORDS = 8
# Above these many postings for the rarest query word, candidates are streamed in key
# order (stopping at limit) instead of collected into sets and ranked.
_STREAM_ONE = 3_000
_STREAM_MANY = 40_000
_FUZZY_MIN = 5

_ROW_COLUMNS = ("id", "given_name", "family_name", "badge_name", "organisation", "email",
                "code", "name_order", "days", "extra")


# -- text to keys ---------------------------------------------------------------------------


# Word characters: letters and digits (\w without "_"), plus the combining marks that
# \w leaves out but words need (Indic vowel signs, Thai, Hebrew points, kana voicing).
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
          "\u06d6-\u06ed\u0711\u0730-\u074a\u0900-\u0963\u0966-\u0dff\u0e00-\u0fff"
          "\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
          "\u3099\u309a\ufe20-\ufe2f")
_W = f"(?:[^\\W_]|[{_MARKS}])+"
_J = "['’ʼ`´‘\\-‐‑.·]"
_WORD = re.compile(f"{_W}(?:{_J}{_W})*")
_JOIN = re.compile(_J)
_PLAIN_PARTS = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[list[str]]:
    """Words of text, each as its parts: "O’Brien-Smith" -> [["O", "Brien", "Smith"]].
    Apostrophes, hyphens and dots inside a word join parts; everything else separates."""
    words = ([p for p in _JOIN.split(m) if p] for m in _WORD.findall(text))
    return [w for w in words if w]  # "ʼ" is a letter to \w and a joiner here: no word


@lru_cache(maxsize=200_000)
def _word_keys(word: str, names: bool) -> tuple[str, ...]:
    """Index keys of one word: folded, Latin alternatives, romanisations, doubles collapsed,
    and (for names in abjads/Thai/Indic) the consonant skeleton."""
    folded = fold(word)
    keys = {folded}
    if names:
        keys.update(latin_variants(word))
        script = word_script(word)
        if script != LATIN:
            romans = romanise(word)
            keys.update(romans)
            if wants_skeleton(script):
                for skel in {skeleton(r) for r in romans} - {""}:
                    keys.update((_SKEL + skel, _SKEL + skel + _END))
        keys.update([loose(k) for k in keys if not k.startswith(_SKEL)])
        if folded.startswith("ال") and len(folded) > 3:
            # The Arabic article is written joined: العتيبي is also found as "otaibi".
            rest = _word_keys(folded[2:], True)
            keys.update(rest)
            keys.update(["al", *("al" + k for k in rest if k.isascii() and k[:1].isalpha())])
    return tuple(sorted(keys))


@lru_cache(maxsize=200_000)
def _field_keys(text: str, names: bool) -> frozenset[str]:
    """Keys of one field value (cached: names and organisations repeat a lot)."""
    out: set[str] = set()
    for parts in tokens(text):
        whole = "".join(parts)
        out.update(_word_keys(whole, names))
        if len(parts) > 1:
            for p in parts:
                out.update(_word_keys(p, names))
        if len(whole) > 1 and has_cjk(whole):
            # CJK is written without spaces: let a query start anywhere inside ("大学").
            for i in range(1, min(len(whole), 12)):
                out.add(fold(whole[i:]))
    return frozenset(out)


def _plain_keys(text: str, out: set[str]) -> None:
    """Keys of an e-mail, code or id: unique per attendee, so no cache and no variants."""
    folded = fold(text)
    if folded.isalnum():  # the usual id or code: one key, no regex
        out.add(folded)
        return
    local, at, domain = folded.partition("@")
    if at:  # an e-mail: the whole address, the local part, the domain without its TLD
        out.update((folded, "".join(_PLAIN_PARTS.findall(domain))))
        labels = domain.split(".")[:-1]
        chunks = [local, *(label for label in labels if label != "example")]
    else:
        chunks = folded.split()
    for chunk in chunks:
        parts = _PLAIN_PARTS.findall(chunk)
        out.update(parts)
        if len(parts) > 1:
            out.add("".join(parts))


def _cjk_joined(family: str, given: str, out: set[str]) -> None:
    """张 + 伟: a desk types "张伟" (family first) or, for a Western form, "伟张"."""
    if not (family and given and (has_cjk(family) or has_cjk(given))):
        return
    f, g = family.replace(" ", ""), given.replace(" ", "")
    out.update({fold(f + g), fold(g + f)})
    for rf in romanise(f)[:3] or (fold(f),):
        for rg in romanise(g)[:1] or (fold(g),):
            out.update({rf + rg, rg + rf})


def _extra_strings(extra: Any) -> list[str]:
    if not extra or extra == "{}":
        return []
    if isinstance(extra, str):
        try:
            extra = json.loads(extra or "{}")
        except ValueError:
            return []
    if not isinstance(extra, dict):
        return []
    return [v for v in extra.values() if isinstance(v, str) and len(v) <= 200]


def _row_keys(row: Sequence[Any]) -> tuple[set[str], set[str]]:
    """(name keys, other keys) of one attendee row in _ROW_COLUMNS order."""
    aid, given, family, badge, org, email, code, _order, _days, extra = row
    name_keys: set[str] = set()
    other: set[str] = set()
    for text in (given, family, badge):
        if text:
            name_keys |= _field_keys(text, True)
    _cjk_joined(family or "", given or "", name_keys)
    if org:  # organisations get the name treatment: "Müller Klinik", "Πανεπιστήμιο"
        other |= _field_keys(org, True)
    for text in (email, code, aid):
        if text:
            _plain_keys(text, other)
    for text in _extra_strings(extra):
        other |= _field_keys(text, False)
    return name_keys, other


def search_key(attendee: Attendee) -> str:
    """The text a search matches against, stored in attendees.search_key: the folded fields,
    then the spellings a desk may type (romanisations, umlaut spellings). Cheap (the name
    part is cached), because importers call it for every row."""
    a = attendee
    plain = " ".join(fold(f) for f in (a.given_name, a.family_name, a.badge_name,
                                       a.organisation, a.email, a.code or "", a.id) if f)
    variants = _name_variants(a.given_name, a.family_name, a.badge_name, a.organisation)
    return f"{plain} {variants}" if variants else plain


@lru_cache(maxsize=65_536)
def _name_variants(*fields: str) -> str:
    found: set[str] = set()
    for text in fields:
        if text:
            found |= _field_keys(text, True)
    known = set(" ".join(fold(f) for f in fields).split())
    return " ".join(sorted(v for v in found if v not in known and not v.startswith(_SKEL)))


def _attendee_row(a: Attendee) -> tuple[Any, ...]:
    return (a.id, a.given_name, a.family_name, a.badge_name, a.organisation, a.email,
            a.code or "", a.name_order, a.days, a.extra)


# -- the index ----------------------------------------------------------------------------------


class _Index:
    """Sorted unique keys with their postings (doc numbers) in one flat array.

    keys, starts and docs are lists/arrays for an index built here, or lazy views into a
    cache file (checkin.search_cache); sample (every SAMPLE_STEP-th key, kept as a list)
    then lets bisect run in C over the sample and touch only a few lazy keys."""

    def __init__(self, keys: Sequence[str], starts: Sequence[int], docs: Sequence[int],
                 sample: list[str] | None = None) -> None:
        self.keys = keys
        self.starts = starts
        self.docs = docs
        self.sample = sample

    @classmethod
    def build(cls, postings: dict[str, list[int]]) -> _Index:
        keys = sorted(postings)
        starts = array("I", [0])
        docs = array("I")
        for key in keys:
            docs.extend(postings[key])
            starts.append(len(docs))
        return cls(keys, starts, docs)

    def span(self, prefix: str) -> tuple[int, int, bool]:
        """Key range [lo, hi) of keys starting with prefix; whether keys[lo] == prefix."""
        lo = self._bisect(prefix, 0)
        hi = self._bisect(prefix + "\U0010ffff", lo)
        return lo, hi, lo < hi and self.keys[lo] == prefix

    def _bisect(self, text: str, lo: int) -> int:
        sample = self.sample
        if sample is None:
            return bisect_left(self.keys, text, lo)
        # sample[b - 1] < text <= sample[b]: the answer is in ((b - 1) * step, b * step]
        b = bisect_left(sample, text)
        start = max(lo, (b - 1) * SAMPLE_STEP + 1) if b else lo
        return bisect_left(self.keys, text, start, min(b * SAMPLE_STEP, len(self.keys)))


SAMPLE_STEP = 32  # keys per sampled key of a cached index (_Index.sample)


_Span = tuple[_Index, int, int, bool]  # index, key range [lo, hi), keys[lo] is exact


@dataclass
class _Probe:
    """One query word: its plain lookup strings (and fuzzy ones), and where they hit."""

    strings: list[str]
    plain: list[_Span] = field(default_factory=list)
    fuzzy: list[_Span] = field(default_factory=list)

    @property
    def postings(self) -> int:
        return sum(ix.starts[hi] - ix.starts[lo] for ix, lo, hi, _ in self.plain + self.fuzzy)

    def doc_sets(self, names_ix: _Index) -> tuple[set[int], set[int]]:
        """(docs matching anywhere, docs matching in a name)."""
        every: set[int] = set()
        names: set[int] = set()
        for ix, lo, hi, _ in self.plain + self.fuzzy:
            chunk = ix.docs[ix.starts[lo]:ix.starts[hi]]
            every.update(chunk)
            if ix is names_ix:
                names.update(chunk)
        return every, names

    def plain_docs(self) -> set[int]:
        found: set[int] = set()
        for ix, lo, hi, _ in self.plain:
            found.update(ix.docs[ix.starts[lo]:ix.starts[hi]])
        return found

    def exact_docs(self) -> set[int]:
        found: set[int] = set()
        for ix, lo, _, exact in self.plain:
            if exact:
                found.update(ix.docs[ix.starts[lo]:ix.starts[lo + 1]])
        return found


class _Core:
    """An immutable index over a list of attendee rows; doc numbers follow name order.

    Per doc: ids, sort keys, days ("" or "\\0day\\0day\\0") and all_text (every key,
    "\\0key\\0key\\0"), as lists (built here) or lazy views of a cache file; by_id
    (doc numbers in id order) comes with a cached core, a built one makes a dict."""

    def __init__(self, ids: Sequence[str], sort: Sequence[str], days: Sequence[str],
                 all_text: Sequence[str], names: _Index, others: _Index,
                 by_id: Sequence[int] | None = None) -> None:
        self.ids = ids
        self.sort = sort
        self.days = days
        self.all_text = all_text
        self.names = names
        self.others = others
        self.by_id = by_id
        self._index_of: dict[str, int] | None = None

    @classmethod
    def build(cls, rows: Iterable[Sequence[Any]]) -> _Core:
        ordered = sorted(((_sort_key(r), r) for r in rows), key=lambda pair: pair[0])
        ids: list[str] = []
        sort: list[str] = []
        days_of: list[str] = []
        all_text: list[str] = []
        names: defaultdict[str, list[int]] = defaultdict(list)
        others: defaultdict[str, list[int]] = defaultdict(list)
        for doc, (sort_key, row) in enumerate(ordered):
            name_keys, other_keys = _row_keys(row)
            ids.append(row[0])
            sort.append(sort_key)
            days_of.append(_days_text(row[8]))
            for k in name_keys:
                names[k].append(doc)
            for k in other_keys:
                others[k].append(doc)
            # "\0key\0key\0": a word check is one substring test in C, not a Python loop.
            all_text.append(f"{_NUL}{_NUL.join(name_keys)}{_NUL}{_NUL.join(other_keys)}{_NUL}")
        return cls(ids, sort, days_of, all_text, _Index.build(names), _Index.build(others))

    def doc_of(self, attendee_id: str) -> int | None:
        """The doc number of an attendee id, or None."""
        if self.by_id is not None:
            by_id, ids = self.by_id, self.ids
            i = bisect_left(by_id, attendee_id, key=ids.__getitem__)
            return by_id[i] if i < len(by_id) and ids[by_id[i]] == attendee_id else None
        if self._index_of is None:
            self._index_of = {aid: doc for doc, aid in enumerate(self.ids)}
        return self._index_of.get(attendee_id)

    def __len__(self) -> int:
        return len(self.ids)

    def probe(self, plain: list[str], fuzzy: list[str]) -> _Probe:
        p = _Probe(plain + fuzzy)
        for strings, spans in ((plain, p.plain), (fuzzy, p.fuzzy)):
            for s in strings:
                for ix in (self.names, self.others):
                    lo, hi, exact = ix.span(s)
                    if lo < hi:
                        spans.append((ix, lo, hi, exact))
        return p

    def _matches(self, doc: int, strings: list[str]) -> bool:
        text = self.all_text[doc]
        return any("\0" + s in text for s in strings)

    def find(self, words: list[list[str]], fuzzy: list[list[str]], dead: frozenset[int],
             limit: int, day: str | None) -> list[tuple[Any, ...]]:
        """Ranked (rank tuple, id) pairs, at most limit; fuzzy[i] extends words[i] or is []."""
        probes = [self.probe(w, f) for w, f in zip(words, fuzzy, strict=True)]
        if any(not (p.plain or p.fuzzy) for p in probes):
            return []
        order = sorted(range(len(probes)), key=lambda i: probes[i].postings)
        driver = probes[order[0]]
        if driver.postings > (_STREAM_ONE if len(probes) == 1 else _STREAM_MANY):
            return self._stream(probes, order, dead, limit)
        found: set[int] | None = None
        name_sets: list[set[int]] = []
        for i in order:
            p = probes[i]
            if found is None or p.postings <= 8 * len(found) + 2_000:
                every, names = p.doc_sets(self.names)
                name_sets.append(names)
                found = every if found is None else found & every
            else:  # a short word with a huge range: test the few candidates instead
                found = {d for d in found if self._matches(d, p.strings)}
            if not found:
                return []
        assert found is not None
        found -= dead
        # Tiers by set algebra (C speed): every word exact / prefix / fuzzy, and within
        # each, matched in a name before matched only in organisation, e-mail or code.
        exact_sets = [p.exact_docs() for p in probes]
        exact = found.intersection(*exact_sets)
        fuzzy_only: set[int] = set()
        for p in probes:
            if p.fuzzy:
                fuzzy_only |= found - p.plain_docs()
        in_names = found.intersection(*name_sets)
        prefix = found - exact - fuzzy_only
        # Within the prefix tier, a match with some word exact comes first: "anja kat"
        # lists Anja Katz before Katrin Anjalee (both words only prefixes there).
        part_exact = prefix.intersection(set().union(*exact_sets)) if len(probes) > 1 else prefix
        prefix_rest = prefix - part_exact
        if all(len(w[0]) <= 2 for w in words):
            # One or two letters "exactly" match initials and domains: names lead.
            groups = (exact & in_names, part_exact & in_names, prefix_rest & in_names,
                      exact - in_names, part_exact - in_names, prefix_rest - in_names,
                      fuzzy_only & in_names, fuzzy_only - in_names)
        else:
            groups = (exact & in_names, exact - in_names, part_exact & in_names,
                      prefix_rest & in_names, part_exact - in_names, prefix_rest - in_names,
                      fuzzy_only & in_names, fuzzy_only - in_names)
        out: list[tuple[Any, ...]] = []
        for tier, group in enumerate(groups):
            for registered, d in self._best(group, limit - len(out), day):
                out.append(((tier, registered, self.sort[d]), self.ids[d]))
            if len(out) >= limit:
                break
        return out

    def _best(self, group: set[int], n: int, day: str | None) -> list[tuple[bool, int]]:
        """The n first docs of a tier: registered for day first (if given), then name order
        (doc numbers are in name order, so plain ints sort right)."""
        if n <= 0 or not group:
            return []
        if day is None or len(group) > 5_000:
            return [(False, d) for d in heapq.nsmallest(n, group)]
        days, wanted = self.days, f"{_NUL}{day}{_NUL}"
        return heapq.nsmallest(n, ((bool(text := days[d]) and wanted not in text, d)
                                   for d in group))

    def _stream(self, probes: list[_Probe], order: list[int], dead: frozenset[int],
                limit: int) -> list[tuple[Any, ...]]:
        """Short queries: walk the driver's keys in order (exact keys first, names before the
        rest) and stop at limit, instead of building a set of tens of thousands of docs."""
        driver = probes[order[0]]
        others = [probes[i].strings for i in order[1:]]
        seen: set[int] = set(dead)
        out: list[tuple[Any, ...]] = []
        for d, tier in self._walk(driver):
            if d in seen:
                continue
            seen.add(d)
            if all(self._matches(d, w) for w in others):
                out.append(((tier, False, self.sort[d]), self.ids[d]))
                if len(out) >= limit:
                    break
        return out

    def _walk(self, probe: _Probe) -> Iterator[tuple[int, int]]:
        """Docs in the order a short query should list them: names (exact, then prefix),
        then organisation/e-mail/code (exact, then prefix), then approximate matches.
        Names lead here because one or two letters "exactly" match initials and domains."""
        for want in (self.names, self.others):
            spans = [s for s in probe.plain if s[0] is want]
            # Tier numbers as in find's short-query groups (an overlay's hits merge in).
            tier = 0 if want is self.names else 3
            for ix, lo, _, exact in spans:
                if exact:
                    for d in ix.docs[ix.starts[lo]:ix.starts[lo + 1]]:
                        yield d, tier
            for ix, lo, hi, exact in spans:
                for k in range(lo + (1 if exact else 0), hi):
                    for d in ix.docs[ix.starts[k]:ix.starts[k + 1]]:
                        yield d, tier + 1
        for ix, lo, hi, _ in probe.fuzzy:
            for k in range(lo, hi):
                for d in ix.docs[ix.starts[k]:ix.starts[k + 1]]:
                    yield d, 6 if ix is self.names else 7


def _sort_key(row: Sequence[Any]) -> str:
    return f"{fold(row[2] or '')}\0{fold(row[1] or '')}\0{row[0]}"


def _days_text(days: Any) -> str:
    """The days an attendee is registered for, as "\\0day\\0day\\0" ("" for every day)."""
    if isinstance(days, str):
        days = json.loads(days) if days not in ("", "[]") else ()
    return f"{_NUL}{_NUL.join(sorted(days))}{_NUL}" if days else ""


# -- queries ------------------------------------------------------------------------------------


def _query_words(query: str) -> list[list[str]]:
    """Lookup strings per query word: folded, doubles collapsed, and romanised if the word
    is in another script (so "Мюллер" can find "Müller")."""
    words = []
    for parts in tokens(query[:200])[:_MAX_QUERY_WORDS]:
        whole = "".join(parts)
        folded = fold(whole)
        strings = [folded]
        collapsed = loose(folded)
        if len(collapsed) >= 3:  # "grosmann" yes; "zzzz" -> "z" would match everyone
            strings.append(collapsed)
        if word_script(whole) not in (LATIN, CJK, KANA, HANGUL):
            strings.extend(romanise(whole)[:1])
        words.append(list(dict.fromkeys(s for s in strings if s)))
    return [w for w in words if w]


@lru_cache(maxsize=1)
def _courtesy_words() -> frozenset[str]:
    """Folded titles and salutations of assets/names.toml and their dotted parts ("dr",
    "prof", "med", "herr", "mrs"), two letters or more: single letters are initials."""
    with open(resources.assets() / "names.toml", "rb") as handle:
        data = tomllib.load(handle)
    words = set()
    for entry in [*data["titles"], *data["salutations"]]:
        for part in re.split(r"[.\-\s]+", entry):
            if len(part) >= 2:
                words.add(fold(part))
    return frozenset(words)


def _edits(word: str) -> list[str]:
    """Prefix lookups one edit away. Edits at the very end are left out where the plain
    prefix already covers them (a longer prefix, or a different last letter)."""
    alphabet = string.ascii_lowercase if word.isascii() else "".join(sorted(set(word)))
    out = set()
    n = len(word)
    for i in range(n):
        out.add(word[:i] + word[i + 1:])  # deletion
        if i < n - 1:
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])  # transposition
            for c in alphabet:
                out.add(word[:i] + c + word[i + 1:])  # substitution
                out.add(word[:i] + c + word[i:])  # insertion
    out.discard(word)
    return sorted(out)


def _skeleton_strings(word: list[str]) -> list[str]:
    """"mohammed" -> محمد, "cohen" -> כהן: consonant skeletons of abjad/Thai/Indic names."""
    base = word[0]
    if base.isascii() and base.isalpha() and len(base) >= 3:
        skel = skeleton(base)
        if len(skel) >= 3:
            return [_SKEL + skel]  # a prefix: "moham" finds محمد
        if skel:
            return [_SKEL + skel + _END]  # short: exactly ("ali" is علی, not every l...)
    return []


def _fuzzy_strings(word: list[str]) -> list[str]:
    base = word[0]
    out: list[str] = []
    # Letters only: a code or id with one digit off is another code, not a typo.
    if len(base) >= _FUZZY_MIN and base.isalpha() and not has_cjk(base):
        out.extend(_edits(base))
    return out


@dataclass(frozen=True)
class _Segment:
    """One index over some attendees; dead: its docs superseded by a later segment."""

    core: _Core
    dead: frozenset[int] = frozenset()

    def alive(self) -> int:
        return len(self.core) - len(self.dead)


@dataclass(frozen=True)
class _State:
    """The base index (everyone at some point of the log), then overlays of the attendees
    changed since, oldest first; seq: the last event-log seq they reflect."""

    segments: tuple[_Segment, ...]
    seq: int = 0


# At most this many overlays: one more joins them into one (re-reading their attendees).
MAX_OVERLAYS = 8


def _rebuild_limit(base: _Core) -> int:
    """Changed attendees above which a refresh rebuilds everything instead of overlaying."""
    return max(2_000, len(base) // 20)


def _dead(core: _Core, ids: Iterable[str]) -> frozenset[int]:
    return frozenset(d for a in ids if (d := core.doc_of(a)) is not None)


class Searcher:
    """In-memory attendee index. Build with from_store() or from attendees; refresh().
    checkin.search_cache keeps one across starts."""

    def __init__(self, attendees: Iterable[Attendee] = (), *, seq: int = 0) -> None:
        self._state = _State((_Segment(_Core.build(_attendee_row(a) for a in attendees)),), seq)
        self._lock = threading.Lock()  # one refresh at a time; searches never wait

    @classmethod
    def from_store(cls, store: Store) -> Searcher:
        # The seq first: a change committed between the two reads is then indexed again
        # by the next refresh, never skipped.
        seq = _last_seq(store)
        return cls.from_state(_State((_Segment(_Core.build(_store_rows(store))),), seq))

    @classmethod
    def from_state(cls, state: _State) -> Searcher:
        searcher = cls()
        searcher._state = state
        return searcher

    # Called with the rebuilt searcher and the store after an index read from a file
    # turned out damaged (checkin.search_cache writes the file again there).
    on_rebuilt: Callable[[Searcher, Store], object] | None = None

    def rebuild(self, store: Store) -> None:
        """Build the whole index again from the database."""
        with self._lock:
            self._state = Searcher.from_store(store).state

    @property
    def state(self) -> _State:
        """The current index, immutable (a refresh swaps it whole)."""
        return self._state

    @property
    def seq(self) -> int:
        """The last event-log seq the index reflects."""
        return self._state.seq

    def __len__(self) -> int:
        return sum(segment.alive() for segment in self._state.segments)

    def refresh(self, store: Store) -> bool:
        """Index attendee changes logged since the last build/refresh; True if any."""
        with self._lock:
            state = self._state
            seq = _last_seq(store)
            if seq == state.seq:
                return False
            rows = store.db.execute(
                "SELECT DISTINCT attendee_id FROM events WHERE seq > ? AND type LIKE 'attendee%'"
                " AND attendee_id IS NOT NULL", [state.seq]).fetchall()
            if not rows:
                self._state = _State(state.segments, seq)
                return False
            changed = {r[0] for r in rows}
            base, *overlays = state.segments
            pending = len(changed) + sum(len(o.core) for o in overlays)
            if pending > _rebuild_limit(base.core):
                self._state = _State((_Segment(_Core.build(_store_rows(store))),), seq)
                return True
            segments = [_Segment(s.core, s.dead | _dead(s.core, changed))
                        for s in state.segments]
            if len(overlays) >= MAX_OVERLAYS:  # join them: fewer segments to search
                ids = changed.union(*(o.core.ids for o in overlays))
                segments = [segments[0]]
            else:
                ids = changed
            segments.append(_Segment(_Core.build(_store_rows(store, sorted(ids)))))
            self._state = _State(tuple(segments), seq)
            return True

    def search_ids(self, query: str, *, limit: int = 20, day: str | None = None) -> list[str]:
        """Ids of the best matches for query, best first (empty for an empty query).

        When the whole query finds nobody, it is tried again without the titles and
        salutations typed with a name ("Prof. Dr. med. Müller", "Mr O'Brien": they are
        not indexed), then with joined words taken apart ("anja-katz", "weber.anna")."""
        words = _query_words(query)
        if not words or limit <= 0:
            return []
        found = self._search_words(words, limit, day)
        if not found and len(words) > 1:
            courtesy = _courtesy_words()
            rest = [w for w in words if w[0] not in courtesy]
            if rest and len(rest) < len(words):
                words = rest
                found = self._search_words(words, limit, day)
        if not found:
            parts = _query_words(" ".join(p for word in tokens(query[:200]) for p in word))
            if 1 < len(parts) <= _MAX_QUERY_WORDS and len(parts) > len(words):
                found = self._search_words(parts, limit, day)
        return found

    def _search_words(self, words: list[list[str]], limit: int, day: str | None) -> list[str]:
        state = self._state
        # Consonant skeletons are always tried, ranked with the fuzzy matches; typo edits
        # only when exact, prefix and skeleton matches leave room under the limit.
        approx = [_skeleton_strings(w) for w in words]
        hits = self._find(state, words, approx, limit, day)
        if len(hits) < limit:
            fuzzy = [a + _fuzzy_strings(w) for a, w in zip(approx, words, strict=True)]
            if fuzzy != approx:
                seen = {aid for _, aid in hits}
                more = self._find(state, words, fuzzy, limit + len(hits), day)
                hits += [h for h in more if h[1] not in seen][: limit - len(hits)]
        return [aid for _, aid in hits]

    def search(self, store: Store, query: str, *, limit: int = 20,
               day: str | None = None) -> list[Attendee]:
        try:
            ids = self.search_ids(query, limit=limit, day=day)
        except IndexDamaged as exc:
            log.warning("%s: rebuilding the search index", exc)
            self.rebuild(store)
            if self.on_rebuilt is not None:
                self.on_rebuilt(self, store)
            ids = self.search_ids(query, limit=limit, day=day)
        by_id = _attendees(store, ids)
        return [by_id[i] for i in ids if i in by_id]

    @staticmethod
    def _find(state: _State, words: list[list[str]], fuzzy: list[list[str]], limit: int,
              day: str | None) -> list[tuple[Any, ...]]:
        base, *overlays = state.segments
        hits = base.core.find(words, fuzzy, base.dead, limit, day)
        for overlay in overlays:
            hits += overlay.core.find(words, fuzzy, overlay.dead, limit, day)
        if overlays:
            hits.sort()
        return hits[:limit]


def search(store: Store, query: str, *, limit: int = 20, day: str | None = None) -> list[Attendee]:
    """One-off search (builds the index; the UI keeps a Searcher instead)."""
    return Searcher.from_store(store).search(store, query, limit=limit, day=day)


def _store_rows(store: Store, ids: list[str] | None = None) -> Iterator[tuple[Any, ...]]:
    sql = f"SELECT {', '.join(_ROW_COLUMNS)} FROM attendees"
    if ids is None:
        yield from store.db.execute(sql)
        return
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        yield from store.db.execute(f"{sql} WHERE id IN ({','.join('?' * len(chunk))})", chunk)


def _last_seq(store: Store) -> int:
    return int(store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])


def _attendees(store: Store, ids: list[str]) -> dict[str, Attendee]:
    if not ids:
        return {}
    rows = store.db.query(
        f"SELECT * FROM attendees WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {row["id"]: Attendee.from_row(row) for row in rows}
