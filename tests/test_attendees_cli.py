"""`checkin attendees`: listing order, --search, --day, --limit, --json, the table, errors."""

import json
from datetime import date, timedelta
from pathlib import Path

import click
import pytest

from checkin.cli.attendees import _width
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import CHECKIN, UNDO, Store, today

TOMORROW = (date.today() + timedelta(days=1)).isoformat()

PEOPLE = [
    Attendee("a1", "Hans", "Müller", title="Prof. Dr.", organisation="Charité", country="DE",
             email="hans.mueller@charite.example.de", code="SEC-A1"),
    Attendee("a2", "Anja", "Katz", organisation="Erasmus MC", country="NL"),
    Attendee("a3", "伟", "张", name_order="family_first", organisation="北京大学", country="CN"),
    Attendee("a4", "Νίκος", "Παπαδόπουλος", country="GR", role="speaker"),
    Attendee("a5", "נועה", "כהן", country="IL", status="cancelled"),
    Attendee("a6", "Eva", "Adler", country="AT", days=[TOMORROW]),
    Attendee("a7", "Jan", "Dvořák", country="CZ", role="press"),
]


@pytest.fixture
def db(event_db: Path) -> Path:
    store = Store(open_db(event_db))
    with store.transaction():
        for person in PEOPLE:
            store.add_attendee(Attendee(**person.__dict__), search_key=search_key(person))
        store.append(CHECKIN, "a2", day=today())
        store.append(CHECKIN, "a7", day=today())
        store.append(UNDO, "a7", day=today())
        store.append(CHECKIN, "a6", day=TOMORROW)
    store.db.conn.close()
    return event_db


def as_json(run_cli, *args: str) -> list[dict]:
    result = run_cli("attendees", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_list_sorted_by_family_name(run_cli, db: Path) -> None:
    records = as_json(run_cli)
    # Adler, Dvořák, Katz, Müller, then the other scripts (folded order), all of them
    assert [r["id"] for r in records][:4] == ["a6", "a7", "a2", "a1"]
    assert {r["id"] for r in records} == {p.id for p in PEOPLE}


def test_json_fields(run_cli, db: Path) -> None:
    records = {r["id"]: r for r in as_json(run_cli)}
    hans = records["a1"]
    for key in ("id", "title", "given_name", "family_name", "name_order", "organisation",
                "country", "role", "email", "status", "code", "checked_in"):
        assert key in hans
    assert hans["title"] == "Prof. Dr." and hans["code"] == "SEC-A1"
    assert hans["family_name"] == "Müller" and hans["checked_in"] is False
    assert records["a3"]["name_order"] == "family_first"
    assert records["a3"]["display_name"] == "张伟"
    assert records["a5"]["status"] == "cancelled"


def test_checked_in_follows_the_day(run_cli, db: Path) -> None:
    today_in = {r["id"] for r in as_json(run_cli) if r["checked_in"]}
    assert today_in == {"a2"}  # a7 was undone
    tomorrow = as_json(run_cli, "--day", TOMORROW)
    assert {r["id"] for r in tomorrow if r["checked_in"]} == {"a6"}
    assert {r["id"]: r["registered"] for r in tomorrow}["a6"] is True
    assert {r["id"]: r["registered"] for r in as_json(run_cli)}["a6"] is False


def test_search(run_cli, db: Path) -> None:
    assert [r["id"] for r in as_json(run_cli, "--search", "muller")] == ["a1"]
    assert [r["id"] for r in as_json(run_cli, "--search", "papadopoulos")] == ["a4"]
    assert [r["id"] for r in as_json(run_cli, "--search", "张伟")] == ["a3"]
    assert [r["id"] for r in as_json(run_cli, "--search", "cohen")] == ["a5"]  # cancelled too
    assert as_json(run_cli, "--search", "nobody") == []
    hit = as_json(run_cli, "--search", "anja k")[0]
    assert hit["id"] == "a2" and hit["checked_in"] is True


def test_limit(run_cli, db: Path) -> None:
    assert len(as_json(run_cli, "--limit", "2")) == 2
    assert len(as_json(run_cli, "--search", "a", "--limit", "1")) == 1


def test_table_output(run_cli, db: Path) -> None:
    result = run_cli("attendees")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "ORGANISATION"]
    assert any("Prof. Dr. Hans Müller" in line for line in lines)
    assert any("张伟" in line for line in lines)
    # Columns stay aligned for CJK (double width) and Latin rows: same width up to "IN".
    cjk = next(line for line in lines if "张伟" in line)
    latin = next(line for line in lines if "Müller" in line)
    assert _width(cjk[: cjk.rindex("  ")]) == _width(latin[: latin.rindex("  ")])
    katz = next(line for line in lines if "Katz" in line)
    assert katz.rstrip().endswith("yes")


def test_search_table_and_empty_result(run_cli, db: Path) -> None:
    result = run_cli("attendees", "--search", "dvorak")
    assert result.exit_code == 0 and "Dvořák" in result.output
    empty = run_cli("attendees", "--search", "zzzzzz")
    assert empty.exit_code == 0 and "no attendees match" in empty.output


@pytest.mark.parametrize("args", [("--day", "2026-13-40"), ("--day", "tomorrow"),
                                  ("--limit", "0"), ("--limit", "x"), ("--search", "  ")])
def test_bad_options(run_cli, db: Path, args: tuple[str, ...]) -> None:
    try:
        result = run_cli("attendees", *args)
    except click.ClickException:
        return
    assert result.exit_code != 0


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_checkin

    result = run_checkin("--db", str(tmp_path / "none.sqlite"), "attendees")
    assert result.returncode != 0
    assert result.stderr.startswith("error: no event database")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_day_in_a_subprocess(db: Path) -> None:
    from tests.conftest import run_checkin

    result = run_checkin("--db", str(db), "attendees", "--day", "31.12.2026")
    assert result.returncode != 0
    assert result.stderr.startswith("error: ") and "YYYY-MM-DD" in result.stderr


def test_empty_database_lists_nothing(run_cli, event_db: Path) -> None:
    assert as_json(run_cli) == []
    result = run_cli("attendees")
    assert result.exit_code == 0 and "no attendees" in result.output


def test_no_database_raises_in_process(run_cli, tmp_path: Path) -> None:
    with pytest.raises(CheckinError):
        run_cli("attendees", db=tmp_path / "missing.sqlite")
