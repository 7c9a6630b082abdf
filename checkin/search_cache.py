"""The search index kept across starts: a cache file beside the event database.

Building checkin.search's index reads and folds every attendee (about 3 s for 100,000);
this file keeps it, so that `checkin attendees --search` and the station's first search
cost about the same at 100,000 attendees as at 400. It is a cache: never needed, never
trusted blindly, never allowed to make an answer wrong.

API
---
- ``cache_path(db_path) -> Path``: ``DB.search-index``, beside the database.
- ``open_searcher(store, db_path, *, write=True) -> Searcher``: the cached index if it is
  this database's index at some point of its event log, brought up to date from the log
  (only the attendees changed since are indexed again, ``Searcher.refresh``); otherwise
  built from the attendees. With write, a rebuilt index (or one that took many changes
  since the file) is written back.
- ``load(store, path) -> Searcher | None``: the cached index, checked (below); None, logged,
  for a file that is missing, damaged, stale in format, or of another database.
- ``save(searcher, store, path) -> bool``: write it (False, logged, if it cannot be).

What is checked before a file is used
-------------------------------------
- Its format and the code that makes the keys (``index_version``: a hash of
  checkin/search.py, romanise.py, text.py, assets/search/romanisation.json, the Unicode
  and anyascii versions): other rules would give other answers.
- Its size, and a CRC-32 of its header and of every section: a damaged or cut file is
  rebuilt.
- The database schema (``PRAGMA user_version``).
- That the event log holds the file's last seq N with the same event uuid there, the same
  uuids at up to 32 sampled attendee events and in the last 256 events up to N, and the
  same number and seq sum of attendee events up to N. Events are append-only and their
  uuids random, so only this database's log (or an exact copy of it up to N) matches: the
  cache of another database, of a copy restored from an older backup (N beyond its log),
  or of the log before a `checkin demo --force` is not used. A log that merely shares
  its beginning with the file's (two desks synced from one hub) differs in its own
  events: caught where those are sampled, counted or among the last 256.
- After that, the attendees changed since N are read from the log and indexed again, as
  a running station does after every change.

How it is written
-----------------
A new file beside the old, then renamed over it: a reader sees the old file or the new
one whole. It is not flushed to disk (fsync): a file cut by a power loss fails its
checks and is rebuilt, and a cache is not worth the wait. A database in a folder that
cannot be written simply has no cache (logged once per process). Symbolic links are
not followed (checkin.files.refuse_symlink).

Layout (little- or big-endian as the machine; a file of the other kind is rebuilt)
--------------------------------------------------------------------------------
MAGIC, then the sections (8-byte aligned), then the header (JSON: version, schema, the
log fingerprint, the segments with their dead docs and sections: offset, length, CRC),
its length (u32), its CRC-32 (u32) and MAGIC again. A segment is one checkin.search core:
for its name keys and other keys each ``keys`` (UTF-8, one after the other), ``keys.ends``
(u32 byte offsets), ``sample`` (every SAMPLE_STEP-th key, NUL-separated), ``starts`` and
``docs`` (u32 postings); per doc ``ids``, ``sort``, ``days``, ``text`` (each with its
``.ends``) and ``by_id`` (u32 doc numbers in id order). A search reads the file through
mmap: only the pages it touches are read, nothing is decoded up front but the samples.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import struct
import sys
import tempfile
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from checkin import files, resources
from checkin.errors import CheckinError
from checkin.search import (
    _NUL,
    SAMPLE_STEP,
    IndexDamaged,
    Searcher,
    _Core,
    _Index,
    _Segment,
    _State,
)

if TYPE_CHECKING:
    from checkin.store import Store

log = logging.getLogger(__name__)

__all__ = ["cache_path", "index_version", "keep", "load", "open_searcher", "refresh", "save"]

FORMAT = 1
MAGIC = b"checkin search\n\x00"
_TRAILER = struct.Struct("<II16s")  # header length, header CRC-32, MAGIC
_ATTENDEE_TYPES = ("attendee_created", "attendee_updated", "attendee_cancelled",
                   "attendee_merged")
_SAMPLES = 64  # attendee events sampled across the log (their uuids), and the last ones:
_LAST = 32
_RECENT = 1024  # the last events up to N, by a digest of their uuids
# A refresh after loading that indexed more than this many attendees writes the file
# again, so that the next command does not index them once more.
WRITE_AFTER = 200

_unwritable: set[Path] = set()  # folders already reported as not writable


class Refused(Exception):
    """The file is not this database's index (or not readable as one): rebuild."""


def cache_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".search-index")


@lru_cache(maxsize=1)
def index_version() -> str:
    """Changes whenever the keys an attendee gets could change."""
    from anyascii import __version__ as anyascii_version

    from checkin import __version__, romanise, search, text

    digest = hashlib.sha256(
        f"{FORMAT}|{__version__}|{unicodedata.unidata_version}|{anyascii_version}".encode())
    for module in (search, romanise, text):
        source = Path(module.__file__ or "")
        if source.is_file():  # a PyInstaller bundle has no sources: its version counts
            digest.update(source.read_bytes())
    table = resources.assets() / "search" / "romanisation.json"
    if table.is_file():
        digest.update(table.read_bytes())
    return digest.hexdigest()[:32]


# -- the log's fingerprint -------------------------------------------------------------------

def _schema(store: Store) -> int:
    return int(store.db.execute("PRAGMA user_version").fetchone()[0])


_IN_TYPES = f"type IN ({', '.join('?' * len(_ATTENDEE_TYPES))})"


def _recent_digest(store: Store, seq: int) -> str:
    digest = hashlib.sha256()
    for (uuid,) in store.db.execute("SELECT uuid FROM events WHERE seq > ? AND seq <= ? "
                                    "ORDER BY seq", [seq - _RECENT, seq]):
        digest.update(uuid.encode() + b"\n")
    return digest.hexdigest()


def _uuids(store: Store, seqs: Sequence[int]) -> dict[int, str]:
    if not seqs:
        return {}
    rows = store.db.execute(
        f"SELECT seq, uuid FROM events WHERE seq IN ({','.join('?' * len(seqs))})", list(seqs))
    return {int(s): str(u) for s, u in rows}


def fingerprint(store: Store, seq: int) -> dict[str, Any]:
    """What identifies this log up to seq (written into the file)."""
    seqs = [int(s) for (s,) in store.db.execute(
        f"SELECT seq FROM events WHERE day IS NULL AND {_IN_TYPES} AND seq <= ? ORDER BY seq",
        [*_ATTENDEE_TYPES, seq])]
    picked = sorted({*seqs[:: max(1, len(seqs) // _SAMPLES)], *seqs[-_LAST:]}) if seqs else []
    uuids = _uuids(store, [seq, *picked])
    return {"seq": seq, "uuid": uuids.get(seq, ""),
            "samples": [[s, uuids[s]] for s in picked], "recent": _recent_digest(store, seq)}


def _check_log(store: Store, mark: dict[str, Any]) -> None:
    """Refused unless this database's log matches the fingerprint (see the module doc)."""
    seq = int(mark["seq"])
    samples = {int(s): str(u) for s, u in mark["samples"]}
    found = _uuids(store, [seq, *samples])
    if seq and found.get(seq) != mark["uuid"]:
        raise Refused(f"the event log has another event (or none) at seq {seq}")
    if any(found.get(s) != u for s, u in samples.items()):
        raise Refused("the event log differs from the one the index was made of")
    if _recent_digest(store, seq) != mark["recent"]:
        raise Refused("the event log's last events differ from the index's")


# -- lazy views into the file ---------------------------------------------------------------

class _Strings(Sequence[str]):
    """Strings stored one after another (UTF-8) with their end offsets, decoded on access.

    Their sections' checksums are verified on the first access (IndexDamaged if they do
    not match): a search reads a few of 100,000 names, and checking the 40 MB of a large
    event's file up front would cost more than the whole search."""

    def __init__(self, buffer: mmap.mmap, start: int, ends: memoryview,
                 unchecked: list[tuple[memoryview, int]]) -> None:
        self._buffer = buffer
        self._start = start
        self._ends = ends
        self._unchecked = unchecked

    def __len__(self) -> int:
        return len(self._ends) - 1

    def __getitem__(self, i: Any) -> Any:
        if self._unchecked:
            self._check()
        ends, start = self._ends, self._start
        try:
            return self._buffer[start + ends[i]:start + ends[i + 1]].decode()
        except UnicodeDecodeError as exc:  # the checksums matched: a bug of ours, but safe
            raise IndexDamaged(f"undecodable text in the search index ({exc})") from None

    def _check(self) -> None:
        for view, crc in self._unchecked:
            if zlib.crc32(view) != crc:
                raise IndexDamaged("the search index file is damaged (checksum)")
        self._unchecked = []


class _MappedCore(_Core):
    """A core read from a cache file; sections and crcs: as read, to write them again."""

    sections: dict[str, memoryview]
    crcs: dict[str, int]


# -- writing --------------------------------------------------------------------------------

def _u32(values: Iterable[int]) -> array[int]:
    if isinstance(values, array) and values.typecode == "I":
        return values
    out = array("I", values)
    if out.itemsize != 4:
        raise Refused("this platform has no 4-byte unsigned int")
    return out


def _strings(items: Sequence[str]) -> tuple[bytes, array[int]]:
    encoded = [s.encode() for s in items]
    return b"".join(encoded), _u32(accumulate((len(b) for b in encoded), initial=0))


def _core_sections(core: _Core) -> dict[str, Any]:
    """A core's sections as bytes-like objects (a cached one's: as they were read)."""
    if isinstance(core, _MappedCore):
        return {key: (view, core.crcs[key]) for key, view in core.sections.items()}
    out: dict[str, Any] = {}
    for name, index in (("names", core.names), ("others", core.others)):
        out[f"{name}.keys"], out[f"{name}.keys.ends"] = _strings(index.keys)
        out[f"{name}.sample"] = _NUL.join(index.keys[::SAMPLE_STEP]).encode()
        out[f"{name}.starts"] = _u32(index.starts)
        out[f"{name}.docs"] = _u32(index.docs)
    for name, items in (("ids", core.ids), ("sort", core.sort), ("days", core.days),
                        ("text", core.all_text)):
        out[name], out[f"{name}.ends"] = _strings(items)
    ids = core.ids
    out["by_id"] = _u32(sorted(range(len(ids)), key=ids.__getitem__))
    return out


def _write(path: Path, state: _State, mark: dict[str, Any], schema: int) -> None:
    files.refuse_symlink(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC)
            offset = len(MAGIC)
            segments = []
            for segment in state.segments:
                sections: dict[str, list[int]] = {}
                for key, data in _core_sections(segment.core).items():
                    data, crc = data if isinstance(data, tuple) else (data, None)
                    view = memoryview(data).cast("B")
                    pad = -offset % 8
                    out.write(b"\0" * pad)
                    offset += pad
                    out.write(view)
                    sections[key] = [offset, len(view), zlib.crc32(view) if crc is None else crc]
                    offset += len(view)
                segments.append({"docs": len(segment.core), "dead": sorted(segment.dead),
                                 "sections": sections})
            header = json.dumps({
                "version": index_version(), "format": FORMAT, "schema": schema,
                "byteorder": sys.byteorder, "log": mark, "segments": segments,
                "size": offset + 0,  # where the header starts; checked against the trailer
            }, separators=(",", ":")).encode()
            out.write(header)
            out.write(_TRAILER.pack(len(header), zlib.crc32(header), MAGIC))
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def save(searcher: Searcher, store: Store, path: Path) -> bool:
    """Write searcher's index as path (False, logged, if it cannot be written)."""
    state = searcher.state
    try:
        _write(path, state, fingerprint(store, state.seq), _schema(store))
    except (OSError, Refused, CheckinError) as exc:
        if path.parent not in _unwritable:
            _unwritable.add(path.parent)
            log.warning("search index not kept for the next start (%s): %s", path, exc)
        return False
    log.info("search index written: %s (%d attendees, seq %d, %d segments)", path,
             len(searcher), state.seq, len(state.segments))
    return True


# -- reading --------------------------------------------------------------------------------

def _header(buffer: mmap.mmap) -> dict[str, Any]:
    size = len(buffer)
    if size < len(MAGIC) + _TRAILER.size or buffer[:len(MAGIC)] != MAGIC:
        raise Refused("not a search index file")
    length, crc, magic = _TRAILER.unpack_from(buffer, size - _TRAILER.size)
    start = size - _TRAILER.size - length
    if magic != MAGIC or start < len(MAGIC):
        raise Refused("the file is cut or damaged (trailer)")
    raw = buffer[start:start + length]
    if zlib.crc32(raw) != crc:
        raise Refused("the file is damaged (header checksum)")
    header: dict[str, Any] = json.loads(raw)
    if header.get("size") != start:
        raise Refused("the file is cut or damaged (size)")
    if header.get("version") != index_version():
        raise Refused("made by another version of the search")
    if header.get("byteorder") != sys.byteorder:
        raise Refused("made on a machine of the other byte order")
    return header


def _lazy(section: str) -> bool:
    return section.endswith((".keys", ".ends")) or section in ("ids", "sort", "days", "text")


def _mapped_core(buffer: mmap.mmap, whole: memoryview, spec: dict[str, Any],
                 limit: int) -> _MappedCore:
    """One segment's core over the file's sections (which end before limit)."""
    sections: dict[str, memoryview] = {}
    crcs: dict[str, int] = {}
    for key, (offset, length, crc) in spec["sections"].items():
        if offset < 0 or length < 0 or offset + length > limit:
            raise Refused(f"the file is damaged (section {key})")
        sections[key], crcs[key] = whole[offset:offset + length], crc
        # Read as arrays in C (postings, doc numbers): checked now. Strings: when first read.
        if not _lazy(key) and zlib.crc32(sections[key]) != crc:
            raise Refused(f"the file is damaged (section {key})")

    def u32(key: str) -> memoryview:
        return sections[key].cast("I")

    def strings(key: str, count: int) -> _Strings:
        ends = u32(f"{key}.ends")
        if len(ends) != count + 1 or ends[-1] != len(sections[key]):
            raise Refused(f"the file is damaged (section {key})")
        unchecked = [(sections[k], crcs[k]) for k in (key, f"{key}.ends")]
        return _Strings(buffer, spec["sections"][key][0], ends, unchecked)

    docs = int(spec["docs"])

    def index(name: str) -> _Index:
        starts, postings = u32(f"{name}.starts"), u32(f"{name}.docs")
        keys = strings(f"{name}.keys", len(starts) - 1)
        if starts[-1] != len(postings):
            raise Refused(f"the file is damaged (section {name}.starts)")
        sample = bytes(sections[f"{name}.sample"]).decode().split(_NUL) if len(keys) else []
        if len(sample) != -(-len(keys) // SAMPLE_STEP):
            raise Refused(f"the file is damaged (section {name}.sample)")
        return _Index(keys, starts, postings, sample)

    by_id = u32("by_id")
    if len(by_id) != docs:
        raise Refused("the file is damaged (section by_id)")
    core = _MappedCore(strings("ids", docs), strings("sort", docs), strings("days", docs),
                       strings("text", docs), index("names"), index("others"), by_id)
    core.sections, core.crcs = sections, crcs
    return core


def _load(store: Store, path: Path) -> Searcher:
    with open(path, "rb") as handle:
        try:
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise Refused("the file is empty") from None
    header = _header(buffer)
    if header.get("schema") != _schema(store):
        raise Refused("made for another database schema")
    _check_log(store, header["log"])
    whole = memoryview(buffer)
    segments = []
    for spec in header["segments"]:
        core = _mapped_core(buffer, whole, spec, int(header["size"]))
        dead = frozenset(int(d) for d in spec["dead"])
        if any(d < 0 or d >= len(core) for d in dead):
            raise Refused("the file is damaged (dead docs)")
        segments.append(_Segment(core, dead))
    if not segments:
        raise Refused("the file holds no index")
    return Searcher.from_state(_State(tuple(segments), int(header["log"]["seq"])))


def load(store: Store, path: Path) -> Searcher | None:
    """The cached index at path if it is this database's (see the module doc), else None."""
    try:
        searcher = _load(store, path)
    except FileNotFoundError:
        log.info("no search index at %s: building it", path)
        return None
    except Exception as exc:  # a file that cannot be used for any reason (damaged in ways
        # no check foresaw included) is rebuilt: a cache never stops a search
        log.warning("search index %s not used (%s: %s): building it", path,
                    type(exc).__name__, exc)
        return None
    log.info("search index read: %s (%d attendees at seq %d)", path, len(searcher),
             searcher.seq)
    return searcher


@dataclass(frozen=True)
class _Written:
    """What the file holds of a searcher: its base, how many overlay docs, which seq."""

    base: _Core
    overlay_docs: int
    seq: int


_written: WeakKeyDictionary[Searcher, _Written] = WeakKeyDictionary()


def _overlay_docs(state: _State) -> int:
    return sum(len(segment.core) for segment in state.segments[1:])


def _mark_written(searcher: Searcher) -> None:
    state = searcher.state
    _written[searcher] = _Written(state.segments[0].core, _overlay_docs(state), state.seq)


def _save_marked(searcher: Searcher, store: Store, path: Path) -> None:
    if save(searcher, store, path):
        _mark_written(searcher)


def _plain(db_path: Path) -> bool:
    """Whether a cache file may exist: not beside an encrypted database, whose names it
    would hold in the clear (docs/encryption.md); one left from before the database was
    encrypted is removed."""
    from checkin import cipher

    if not cipher.is_encrypted(db_path):
        return True
    path = cache_path(db_path)
    if path.exists():
        path.unlink(missing_ok=True)
        log.warning("removed %s: a search index in the clear beside an encrypted database",
                    path)
    return False


def open_searcher(store: Store, db_path: Path, *, write: bool = True) -> Searcher:
    """This database's search index, up to date: read from its cache file and refreshed
    from the log, else built; written back when it was built or took many changes. An
    encrypted database has no cache file: its index is built in memory."""
    if not _plain(db_path):
        return Searcher.from_store(store)
    path = cache_path(db_path)
    searcher = load(store, path)
    if searcher is None:
        searcher = Searcher.from_store(store)
        if write:
            _save_marked(searcher, store, path)
    else:
        _mark_written(searcher)
        refresh(searcher, store, db_path, write=write)
    if write:
        searcher.on_rebuilt = lambda rebuilt, store: _save_marked(rebuilt, store, path)
    return searcher


def refresh(searcher: Searcher, store: Store, db_path: Path, *, write: bool = True) -> bool:
    """searcher.refresh(store), and the file written again when the index was rebuilt or
    more than WRITE_AFTER attendees were indexed since the file was: the next start then
    does not index them once more."""
    changed = searcher.refresh(store)
    if changed and write and _plain(db_path):
        state, written = searcher.state, _written.get(searcher)
        if (written is None or state.segments[0].core is not written.base
                or _overlay_docs(state) - written.overlay_docs > WRITE_AFTER):
            _save_marked(searcher, store, cache_path(db_path))
    return changed


def keep(searcher: Searcher, store: Store, db_path: Path) -> None:
    """Bring the index up to date and write it if it moved on since its file was read or
    written (a desk closing: the next start then indexes nothing again)."""
    searcher.refresh(store)
    written = _written.get(searcher)
    if (written is None or written.seq != searcher.seq) and _plain(db_path):
        _save_marked(searcher, store, cache_path(db_path))
