"""The search index kept across starts (checkin.search_cache): what a restart finds, which
files are not used (another database's, an older log's, a damaged one), and that answers
with and without the file are the same."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin import search, search_cache
from checkin.db import open_db
from checkin.dbapi import sqlite3
from checkin.desk import DbContext, open_event, save_attendee, search_hits, walk_in
from checkin.models import Attendee
from checkin.search import Searcher, search_key
from checkin.search_cache import _MappedCore, cache_path, load, open_searcher
from checkin.store import Store
from checkin.sync.client import sync_once
from tests import test_sync_desks
from tests.import_helpers import write_csv
from tests.test_sync_desks import Hub, new_desk

# The cache file is kept beside plain databases only (docs/encryption.md); an encrypted
# one builds its index in memory (tests/test_encryption.py).
pytestmark = pytest.mark.skipif(os.environ.get("CHECKIN_ENCRYPT") == "1",
                                reason="no cache file beside an encrypted database")

hub = test_sync_desks.hub  # the real hub process of the sync tests, one for this module

QUERIES = ["müller", "mueller", "anja", "a", "k", "zhang", "smirnova", "papadop", "walk",
           "zoe walkington", "novak", "rinaldi", "charite", "müler", "kowalsky", "li", "δ",
           "a k", "s m"]


def start(path: Path, station: str = "desk-1") -> DbContext:
    """A desk starting: its db lane's context, the event opened (the index read or built)."""
    ctx = DbContext(path, station, "op")
    open_event(ctx)
    return ctx


def from_file(ctx: DbContext) -> bool:
    """Whether the desk's index came from the cache file (not built at this start)."""
    return isinstance(ctx.searcher.state.segments[0].core, _MappedCore)


def fresh(store: Store, query: str, limit: int = 50) -> list[str]:
    return Searcher.from_store(store).search_ids(query, limit=limit)


def same_answers(searcher: Searcher, store: Store) -> None:
    for query in QUERIES:
        assert searcher.search_ids(query, limit=50) == fresh(store, query), query


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The 400-delegate demo event, opened once by a desk (which wrote the index file)."""
    path = tmp_path / "event.sqlite"
    ctx = start(path)
    ctx.close()
    assert cache_path(path).is_file()
    return path


# -- a restart finds what the previous run added --------------------------------------------

def test_a_restart_reads_the_file_and_finds_a_walk_in(demo: Path) -> None:
    ctx = start(demo)
    assert from_file(ctx)
    walk_in(ctx, Attendee(id="", given_name="Zoë", family_name="Walkington"))
    assert [h.attendee.family_name for h in search_hits(ctx, "walkington")] == ["Walkington"]
    ctx.close()  # writes the index with the walk-in

    again = start(demo)
    assert from_file(again)
    assert again.searcher.refresh(again.store) is False  # the file had it already
    assert [h.attendee.family_name for h in search_hits(again, "zoe walk")] == ["Walkington"]
    same_answers(again.searcher, again.store)
    again.close()


def test_changes_made_while_no_desk_wrote_the_file_are_found(demo: Path) -> None:
    other = start(demo, "desk-2")  # never closed: a crash, or another process
    walk_in(other, Attendee(id="", given_name="Zoë", family_name="Walkington"))
    person = next(h.attendee for h in search_hits(other, "a") if h.attendee.family_name)
    renamed = Attendee(**{**person.__dict__, "family_name": "Novák"})
    save_attendee(other, renamed, "spelling")

    ctx = start(demo)
    assert from_file(ctx)  # the file from before, brought up to date from the log
    assert [h.attendee.id for h in search_hits(ctx, "walkington")] != []
    assert [h.attendee.id for h in search_hits(ctx, "novak")] == [person.id]
    same_answers(ctx.searcher, ctx.store)
    ctx.close()


def test_an_edit_is_found_after_a_restart(demo: Path) -> None:
    ctx = start(demo)
    person = ctx.store.all_attendees()[7]
    save_attendee(ctx, Attendee(**{**person.__dict__, "given_name": "Xaverine",
                                   "family_name": "Quellbrunn"}), "typo")
    ctx.close()
    again = start(demo)
    assert from_file(again)
    assert [h.attendee.id for h in search_hits(again, "quellbrunn xav")] == [person.id]
    same_answers(again.searcher, again.store)
    again.close()


def test_an_import_is_found_after_a_restart(demo: Path, run_cli, tmp_path: Path) -> None:
    rows = [["id", "given_name", "family_name", "organisation", "email"]]
    rows += [[f"IMP{i:04d}", "Imke", f"Importhaus{i:04d}", "Import GmbH",
              f"imke{i}@import.example.org"] for i in range(300)]
    csv = write_csv(tmp_path / "people.csv", rows)
    result = run_cli("import", str(csv), db=demo)
    assert result.exit_code == 0, result.output

    ctx = start(demo)
    assert from_file(ctx)
    assert [h.attendee.id for h in search_hits(ctx, "importhaus0299")] == ["IMP0299"]
    assert len(search_hits(ctx, "imke", limit=500)) == 300
    same_answers(ctx.searcher, ctx.store)
    ctx.close()
    # 300 attendees indexed since the file: written again, so the next start reads them.
    after = load(Store(open_db(demo)), cache_path(demo))
    assert after is not None and after.search_ids("importhaus0001") == ["IMP0001"]
    assert len(after.state.segments) == 2


def test_a_big_change_rebuilds_and_writes_the_file(demo: Path) -> None:
    ctx = start(demo)
    store = ctx.store
    with store.transaction():
        for i in range(2_100):
            person = Attendee(f"bulk{i}", "Bulk", f"Person{i:04d}")
            store.add_attendee(person, search_key=search_key(person))
    assert [h.attendee.id for h in search_hits(ctx, "person2099")] == ["bulk2099"]
    # rebuilt whole (more than 2,000 changed): written at once, one segment
    written = load(Store(open_db(demo)), cache_path(demo))
    assert written is not None and len(written.state.segments) == 1
    assert written.seq == ctx.searcher.seq
    ctx.close()


def test_a_walk_in_synced_from_another_desk_is_found_after_a_restart(
        hub: Hub, run_cli, tmp_path: Path) -> None:
    desk_a = new_desk(hub, run_cli, tmp_path, "cache-a")
    desk_b = new_desk(hub, run_cli, tmp_path, "cache-b")
    start(desk_b.path, "cache-b").close()  # desk B's index file, before the walk-in
    ctx_a = start(desk_a.path, "cache-a")
    walk_in(ctx_a, Attendee(id="", given_name="Zoë", family_name="Walkington"))
    ctx_a.close()
    assert sync_once(desk_a, desk_a.path).pushed >= 1
    assert sync_once(desk_b, desk_b.path).pulled >= 1

    ctx_b = start(desk_b.path, "cache-b")
    assert from_file(ctx_b)
    assert [h.attendee.family_name for h in search_hits(ctx_b, "walkington")] == ["Walkington"]
    same_answers(ctx_b.searcher, ctx_b.store)
    ctx_b.close()


# -- which files are not used -----------------------------------------------------------------

def test_the_file_of_another_database_is_not_used(demo: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    other = tmp_path / "other" / "event.sqlite"
    other.parent.mkdir()
    start(other).close()  # another demo event: same people, other events
    shutil.copy(cache_path(demo), cache_path(other))
    store = Store(open_db(other))
    with caplog.at_level(logging.INFO, logger="checkin.search_cache"):
        assert load(store, cache_path(other)) is None
    assert "not used" in caplog.text
    searcher = open_searcher(store, other)
    same_answers(searcher, store)
    assert load(store, cache_path(other)) is not None  # written again, for this one


def test_a_database_replaced_by_demo_force_does_not_use_the_old_file(demo: Path,
                                                                      run_cli) -> None:
    result = run_cli("demo", "--force", db=demo)
    assert result.exit_code == 0, result.output
    store = Store(open_db(demo))
    assert load(store, cache_path(demo)) is None


def test_a_database_restored_from_an_older_backup_does_not_use_a_newer_file(
        demo: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    store = Store(open_db(demo))
    store.db.execute("VACUUM INTO ?", [str(backup)])
    store.close()
    ctx = start(demo)
    for name in ("Walkington", "Westerhold", "Wuttke"):
        walk_in(ctx, Attendee(id="", given_name="Zoë", family_name=name))
    ctx.close()  # the file now reflects the log with the three walk-ins
    shutil.copy(backup, demo)  # the restore: no WAL left over from the newer one
    for suffix in ("-wal", "-shm"):
        Path(f"{demo}{suffix}").unlink(missing_ok=True)
    restored = Store(open_db(demo))
    assert load(restored, cache_path(demo)) is None  # its log ends before the file's seq
    # ... and still not once the restored log has grown past it with other events
    with restored.transaction():
        for i in range(5):
            restored.add_attendee(Attendee(f"late{i}", "Late", f"Comer{i}"))
    assert load(restored, cache_path(demo)) is None
    searcher = open_searcher(restored, demo)
    assert searcher.search_ids("walkington") == []
    assert searcher.search_ids("comer4") == ["late4"]
    same_answers(searcher, restored)


def test_an_older_file_of_the_same_database_is_used_and_brought_up_to_date(demo: Path,
                                                                          tmp_path: Path) -> None:
    older = tmp_path / "older.search-index"
    shutil.copy(cache_path(demo), older)
    ctx = start(demo)
    walk_in(ctx, Attendee(id="", given_name="Zoë", family_name="Walkington"))
    ctx.close()
    shutil.copy(older, cache_path(demo))
    store = Store(open_db(demo))
    searcher = load(store, cache_path(demo))
    assert searcher is not None and searcher.search_ids("walkington") == []  # as it was
    assert searcher.refresh(store) is True
    assert len(searcher.search_ids("walkington")) == 1
    same_answers(searcher, store)


def test_a_file_made_by_another_version_of_the_search_is_not_used(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(open_db(demo))
    assert load(store, cache_path(demo)) is not None
    monkeypatch.setattr(search_cache, "index_version", lambda: "other rules")
    assert load(store, cache_path(demo)) is None


def test_a_file_of_another_schema_is_not_used(demo: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(open_db(demo))
    monkeypatch.setattr(search_cache, "_schema", lambda _store: 9999)
    assert load(store, cache_path(demo)) is None


def _section(path: Path, name: str) -> tuple[int, int]:
    import mmap

    with open(path, "rb") as handle:
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    offset, length, _crc = search_cache._header(buffer)["segments"][0]["sections"][name]
    buffer.close()
    return offset, length


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    "empty", "garbage", "cut", "cut-trailer", "header", "postings", "keys", "names", "text",
    "folder"])
def test_a_damaged_file_is_rebuilt(demo: Path, damage: str, caplog: pytest.LogCaptureFixture,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Every query streams (as short ones do at 100,000 attendees), so that two-word queries
    # read the per-attendee text section too.
    monkeypatch.setattr(search, "_STREAM_ONE", 0)
    monkeypatch.setattr(search, "_STREAM_MANY", 0)
    path = cache_path(demo)
    size = path.stat().st_size
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(b"\x00not an index\xff" * 1000)
    elif damage == "cut":
        path.write_bytes(path.read_bytes()[: size // 2])
    elif damage == "cut-trailer":
        path.write_bytes(path.read_bytes()[:-3])
    elif damage == "header":
        _flip(path, size - 200)
    elif damage == "folder":
        path.unlink()
        path.mkdir()
    else:
        section = {"postings": "others.docs", "keys": "others.keys", "names": "ids",
                   "text": "text"}[damage]
        offset, length = _section(path, section)
        _flip(path, offset + length // 2)
    store = Store(open_db(demo))
    ctx = DbContext(demo, "desk-1", "op")
    with caplog.at_level(logging.WARNING):
        searcher = ctx.searcher
        if damage in ("names", "keys", "text"):  # checked when first read: not yet
            assert "not used" not in caplog.text
    # Every answer is right: a damage found only when a section is first read (strings are
    # checked then) rebuilds the index from the database and searches again.
    for query in QUERIES:
        with caplog.at_level(logging.WARNING):
            assert [a.id for a in searcher.search(store, query, limit=50)] == \
                fresh(store, query), (damage, query)
    assert "not used" in caplog.text or "rebuilding the search index" in caplog.text
    if damage != "folder":  # written again, whole
        reread = load(store, path)
        assert reread is not None
        same_answers(reread, store)
    ctx.close()


def test_without_a_writable_place_for_the_file_searches_still_work(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "event.sqlite"
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    cache_path(path).symlink_to(target)  # never written through (checkin.files)
    with caplog.at_level(logging.WARNING, logger="checkin.search_cache"):
        ctx = start(path)
    assert len(search_hits(ctx, "a")) > 0
    assert target.read_bytes() == b""
    assert "not kept" in caplog.text
    ctx.close()


# -- the CLI -------------------------------------------------------------------------------------

def test_the_cli_search_writes_the_file_and_reads_it_next_time(tmp_path: Path,
                                                               run_cli) -> None:
    path = tmp_path / "event.sqlite"
    assert run_cli("demo", db=path).exit_code == 0
    assert not cache_path(path).exists()
    first = run_cli("attendees", "--search", "a", "--json", db=path)
    assert first.exit_code == 0, first.output
    assert cache_path(path).is_file()
    written = cache_path(path).stat().st_mtime_ns
    second = run_cli("attendees", "--search", "a", "--json", db=path)
    assert second.output == first.output
    assert cache_path(path).stat().st_mtime_ns == written  # read, not written again


# -- with and without the file: the same answers --------------------------------------------------

NAMES = ["Müller", "Mueller", "Møller", "Katz", "Kaiser", "Zhang", "张", "Smirnova", "Смирнова",
         "O'Brien", "Nagy", "Walker", "Wang", "Papadopoulos", "Παπαδόπουλος", "Li"]
GIVEN = ["Anja", "Ann", "Zoë", "Wei", "Анна", "Seán", "Νίκος", "Jan", ""]

operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(GIVEN), st.sampled_from(NAMES)),
    st.tuples(st.just("rename"), st.integers(0, 40), st.sampled_from(NAMES)),
    st.tuples(st.just("cancel"), st.integers(0, 40), st.just("")),
    st.tuples(st.just("restart"), st.just(""), st.just("")),
    st.tuples(st.just("bulk"), st.integers(1, 30), st.sampled_from(NAMES)),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=14))
def test_answers_with_and_without_the_file_are_the_same(ops: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "event.sqlite"
        store = Store(open_db(path, create=True), station="desk-1")
        store.set_event("Test", ["2026-12-01"])
        with store.transaction():
            for i, name in enumerate(NAMES):
                store.add_attendee(Attendee(f"p{i}", GIVEN[i % len(GIVEN)], name))
        searcher = open_searcher(store, path)
        for counter, (kind, a, b) in enumerate(ops):
            ids = [r[0] for r in store.db.execute("SELECT id FROM attendees ORDER BY id")]
            with store.transaction():
                if kind == "add":
                    store.add_attendee(Attendee(f"n{counter}", str(a), str(b)))
                elif kind == "bulk":
                    for i in range(int(str(a))):
                        store.add_attendee(Attendee(f"b{counter}-{i}", "Bulk", f"{b}{i}"))
                elif kind in ("rename", "cancel") and ids:
                    person = store.attendee(ids[int(str(a)) % len(ids)])
                    assert person is not None
                    if kind == "rename":
                        person.family_name = str(b)
                    else:
                        person.status = "cancelled"
                    store.update_attendee(person)
            if kind == "restart":
                search_cache.keep(searcher, store, path)
                searcher = open_searcher(store, path)
            else:
                search_cache.refresh(searcher, store, path)
            reread = load(store, cache_path(path))
            assert reread is not None
            reread.refresh(store)
            for query in QUERIES + NAMES:
                expected = fresh(store, query)
                assert searcher.search_ids(query, limit=50) == expected, (query, ops)
                assert reread.search_ids(query, limit=50) == expected, (query, ops)
        store.close()


def test_reading_the_file_changes_nothing_in_the_database(demo: Path) -> None:
    before = sqlite3.connect(demo).execute("SELECT count(*), max(seq) FROM events").fetchone()
    store = Store(open_db(demo))
    assert load(store, cache_path(demo)) is not None
    store.close()
    after = sqlite3.connect(demo).execute("SELECT count(*), max(seq) FROM events").fetchone()
    assert after == before
