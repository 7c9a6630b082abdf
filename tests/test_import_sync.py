"""Re-import is a sync: upsert by id, every change an event, --full cancels the missing,
hand-made fields survive, --dry-run writes nothing."""

from checkin.db import open_db
from checkin.importing import import_file
from checkin.models import Attendee
from checkin.store import ATTENDEE_CANCELLED, ATTENDEE_CREATED, ATTENDEE_UPDATED, Store
from tests.import_helpers import new_store, snapshot, write_csv

HEADER = ["Order code", "Attendee name: Given name", "Attendee name: Family name", "Company",
          "Country", "Product", "Order status", "Secret"]
ANNA = ["A1", "Anna", "Weber", "Charité", "Germany", "Speaker ticket", "p", "sa"]
BO = ["B2", "Bo", "Li", "Fudan", "China", "Conference ticket", "p", "sb"]
CY = ["C3", "Cy", "Ng", "NUS", "Singapore", "Conference ticket", "p", "sc"]


def types(store, attendee_id):
    return [e.type for e in store.events(attendee_id)]


def test_reimport_adds_changes_and_keeps_missing(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    first = import_file(store, write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO, CY]))
    assert (first.added, first.changed, first.cancelled) == (3, 0, 0)
    moved = ["A1", "Anna", "Weber", "Max Delbrück Center", "Germany", "Speaker ticket", "p",
             "sa"]
    new = ["D4", "Di", "Xu", "Peking University", "China", "Press", "p", "sd"]
    second = import_file(store, write_csv(tmp_path / "v2.csv", [HEADER, moved, BO, new]))
    assert (second.added, second.changed, second.cancelled, second.unchanged) == (1, 1, 0, 1)
    assert store.attendee("C3").status == "confirmed"  # missing, but no --full: stays
    assert store.attendee("A1").organisation == "Max Delbrück Center"
    assert types(store, "A1") == [ATTENDEE_CREATED, ATTENDEE_UPDATED]
    (update,) = store.events("A1", types=(ATTENDEE_UPDATED,))
    assert update.payload["changes"] == {
        "organisation": {"from": "Charité", "to": "Max Delbrück Center"}}
    assert update.payload["source"] == "v2.csv"


def test_full_reimport_cancels_missing_and_reinstates_returning(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO, CY]))
    summary = import_file(store, write_csv(tmp_path / "v2.csv", [HEADER, ANNA, BO]), full=True)
    assert (summary.cancelled, summary.unchanged) == (1, 2)
    assert store.attendee("C3").status == "cancelled"
    (cancel,) = store.events("C3", types=(ATTENDEE_CANCELLED,))
    assert cancel.payload["reason"] == "missing from a full import"
    again = import_file(store, write_csv(tmp_path / "v3.csv", [HEADER, ANNA, BO, CY]), full=True)
    assert (again.changed, again.reinstated, again.cancelled) == (1, 1, 0)
    assert store.attendee("C3").status == "confirmed"
    # A second --full with the same list changes nothing.
    same = import_file(store, tmp_path / "v3.csv", full=True)
    assert (same.changed, same.cancelled, same.unchanged) == (0, 0, 3)


def test_status_column_cancels_with_event(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "v1.csv", [HEADER, ANNA]))
    cancelled = [*ANNA[:6], "c", ANNA[7]]
    summary = import_file(store, write_csv(tmp_path / "v2.csv", [HEADER, cancelled]))
    assert summary.cancelled == 1
    assert types(store, "A1") == [ATTENDEE_CREATED, ATTENDEE_CANCELLED]


def test_hand_made_fields_survive_reimport(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO]))
    with store.transaction():
        anna = store.attendee("A1")
        anna.notes, anna.badge_name, anna.name_order = "wheelchair", "Anni", "family_first"
        anna.extra["diet"] = "vegan"
        store.update_attendee(anna, source="station")
    ref = store.attendee("A1").ref
    summary = import_file(store, write_csv(tmp_path / "v2.csv", [HEADER, ANNA, BO]))
    assert summary.unchanged == 2
    anna = store.attendee("A1")
    assert (anna.notes, anna.badge_name, anna.name_order) == ("wheelchair", "Anni",
                                                              "family_first")
    assert anna.extra["diet"] == "vegan"
    assert anna.ref == ref  # the token reference never changes on re-import


def test_dry_run_writes_nothing(tmp_path, event_db, run_cli):
    path = write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO])
    before = snapshot(event_db)
    result = run_cli("import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "dry run" in result.output
    assert snapshot(event_db) == before


def test_cli_summary_line_and_json(tmp_path, event_db, run_cli):
    path = write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO])
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "v1.csv: 2 rows: 2 added, 0 changed, 0 cancelled, 0 unchanged")
    result = run_cli("import", str(path), "--json", "--full")
    assert '"unchanged": 2' in result.output


def test_bulk_events_have_the_store_payload_shape(tmp_path):
    """The importer's bulk path logs what Store.add_attendee/update_attendee would."""
    bulk = new_store(tmp_path / "bulk.sqlite")
    import_file(bulk, write_csv(tmp_path / "v1.csv", [HEADER, ANNA]))
    imported = bulk.attendee("A1")
    (created,) = bulk.events("A1")

    single = Store(open_db(tmp_path / "single.sqlite", create=True))
    with single.transaction():
        reference = single.add_attendee(Attendee(**{**imported.__dict__}), source="v1.csv")
    assert created.payload.keys() == reference.payload.keys()
    assert {k: v for k, v in created.payload.items()} == reference.payload

    import_file(bulk, write_csv(tmp_path / "v2.csv", [HEADER, [*ANNA[:3], "MDC", *ANNA[4:]]]))
    (updated,) = bulk.events("A1", types=(ATTENDEE_UPDATED,))
    with single.transaction():
        changed = single.attendee("A1")
        changed.organisation = "MDC"
        expected = single.update_attendee(changed, source="v2.csv")
    assert expected is not None
    assert updated.payload == expected.payload
    assert updated.station == bulk.station and updated.time


def test_progress_phases_and_dry_run(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    seen: list[str] = []
    path = write_csv(tmp_path / "v1.csv", [HEADER, ANNA])
    import_file(store, path, dry_run=True, progress=seen.append)
    assert seen == ["reading", "comparing"]
    assert store.attendee_count() == 0
    seen.clear()
    import_file(store, path, progress=seen.append)
    assert seen == ["reading", "comparing", "writing"]


def test_imported_people_are_searchable_and_keyed(tmp_path):
    from checkin import search

    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "v1.csv", [HEADER, ANNA, BO]))
    assert [a.id for a in search.search(store, "weber")] == ["A1"]
    key = store.db.execute("SELECT search_key FROM attendees WHERE id = 'A1'").fetchone()[0]
    assert key == search.search_key(store.attendee("A1"))
    renamed = ["A1", "Anna", "Wegener", *ANNA[3:]]
    import_file(store, write_csv(tmp_path / "v2.csv", [HEADER, renamed, BO]))
    assert [a.id for a in search.search(store, "wegener")] == ["A1"]
    key = store.db.execute("SELECT search_key FROM attendees WHERE id = 'A1'").fetchone()[0]
    assert key == search.search_key(store.attendee("A1"))
