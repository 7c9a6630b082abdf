"""Every file in the shared registrations corpus imports exactly as expected.json says."""

import json

import pytest

from checkin.importing import import_file
from tests.conftest import CORPUS
from tests.import_helpers import new_store

REGISTRATIONS = CORPUS / "registrations"
EXPECTED = (json.loads((REGISTRATIONS / "expected.json").read_text(encoding="utf-8"))
            if (REGISTRATIONS / "expected.json").exists() else {})

pytestmark = pytest.mark.skipif(not EXPECTED, reason="shared corpus not present")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_imports_as_expected(name, tmp_path):
    expected = EXPECTED[name]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, REGISTRATIONS / name)
    assert summary.added == expected["count"]
    got = {a.id: a for a in store.all_attendees()}
    assert len(got) == expected["count"]
    fields = ["given_name", "family_name", "organisation", "country", "email"]
    if expected["roles_checked"]:
        fields.append("role")
    if expected["titles_checked"]:
        fields.append("title")
    if expected["codes_checked"]:
        fields.append("code")
    for row in expected["rows"]:
        assert row["id"] in got, f"{name}: id {row['id']} missing"
        attendee = got[row["id"]]
        for field in fields:
            assert getattr(attendee, field) == row[field], (name, row["id"], field)
    # Every import is recorded: one attendee_created event per person.
    assert len(store.events(types=("attendee_created",))) == expected["count"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_reimport_changes_nothing(name, tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, REGISTRATIONS / name)
    events = len(store.events())
    summary = import_file(store, REGISTRATIONS / name)
    assert (summary.added, summary.changed, summary.cancelled) == (0, 0, 0)
    assert summary.unchanged == EXPECTED[name]["count"]
    assert len(store.events()) == events


def test_family_first_names_follow_script_and_country(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, REGISTRATIONS / "pretix_orders.csv")
    by_id = {a.id: a for a in store.all_attendees()}
    assert by_id["3HYS8"].name_order == "family_first"  # 王 秀英: Han script
    assert by_id["UQF8Q"].name_order == "family_first"  # Hangul
    assert by_id["MJQBT"].name_order == "family_first"  # Hungary, Latin script
    assert by_id["QUSNK"].name_order == "given_first"
    # Stored exactly as the file's columns give them, whatever the order.
    assert (by_id["3HYS8"].given_name, by_id["3HYS8"].family_name) == ("秀英", "王")
