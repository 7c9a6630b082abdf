"""Bad input is refused with one line naming the file, the line and the reason; the
database stays exactly as it was."""

import json

import pytest

from checkin.errors import ImportRefused
from checkin.importing import import_file
from checkin.importing.readers import MAX_CELL_CHARS
from tests.conftest import run_checkin
from tests.import_helpers import new_store, snapshot, write_csv

HEADER = ["ID", "First name", "Last name", "Email"]


@pytest.fixture
def store(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "seed.csv", [HEADER, ["S1", "Seed", "Person", ""]]))
    return store


def refused(store, path, **options):
    before = snapshot(store.db.conn.execute("PRAGMA database_list").fetchone()[2])
    with pytest.raises(ImportRefused) as info:
        import_file(store, path, **options)
    message = str(info.value)
    assert "\n" not in message
    after = snapshot(store.db.conn.execute("PRAGMA database_list").fetchone()[2])
    assert after == before, "a refused import changed the database"
    return message


def test_duplicate_id_names_both_lines(store, tmp_path):
    path = write_csv(tmp_path / "dup.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                            ["2", "Bo", "Li", ""], ["1", "Cy", "Ng", ""]])
    message = refused(store, path)
    assert message == f"{path}: line 4: duplicate id '1' (first on line 2)"


def test_duplicate_id_counts_physical_lines(store, tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('ID,First name,Last name,Notes\n1,Anna,Weber,"two\nlines"\n'
                    "1,Bo,Li,\n", encoding="utf-8")
    assert "line 4: duplicate id" in refused(store, path)


def test_over_long_field(store, tmp_path):
    path = write_csv(tmp_path / "long.csv", [HEADER, ["1", "Anna", "W" * (MAX_CELL_CHARS + 1),
                                                      ""]])
    message = refused(store, path)
    assert "line 2" in message and "'Last name'" in message and "limit 1000" in message


def test_ragged_row_with_data_in_surplus_cells(store, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("ID,First name,Last name\n1,Anna,Weber\n2,Bo,Li,Fudan, Shanghai\n",
                    encoding="utf-8")
    assert "line 3: 5 fields where the header has 3" in refused(store, path)


def test_trailing_delimiters_and_short_rows_are_fine(store, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("ID;First name;Last name;Email;;\n1;Anna;Weber;;;\n2;Bo;Li\n",
                    encoding="utf-8")
    summary = import_file(store, path)
    assert summary.added == 2


def test_broken_quoting(store, tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('ID,First name,Last name\n1,Anna,"Weber\n2,Bo,Li\n', encoding="utf-8")
    assert "broken CSV" in refused(store, path)


def test_no_name_columns(store, tmp_path):
    path = write_csv(tmp_path / "nonames.csv", [["ID", "Email", "Country"],
                                               ["1", "a@x.de", "DE"]])
    assert "no name columns" in refused(store, path)


def test_not_a_table(store, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_text("Dear organisers,\nplease find attached the list.\n", encoding="utf-8")
    assert "not an attendee table" in refused(store, path)


def test_row_without_name(store, tmp_path):
    path = write_csv(tmp_path / "noname.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                              ["2", "", "", "b@x.de"], ["3", "Bo", "Li", ""]])
    assert "line 3: no name" in refused(store, path)


def test_summary_row_at_the_end_is_skipped_not_refused(store, tmp_path):
    # It used to refuse the whole file ("line 3: no name"): a sum line under the table
    # is what spreadsheets add, so it is skipped with a note instead.
    path = write_csv(tmp_path / "sum.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                           ["Total: 1", "", "", ""]])
    summary = import_file(store, path)
    assert summary.added == 1 and summary.rows == 1
    assert sorted(a.id for a in store.all_attendees()) == ["1", "S1"]
    assert not any("Total" in (a.id + a.given_name) for a in store.all_attendees())
    assert any("summary row(s) at the end skipped (line 3: 'Total: 1')" in note
               for note in summary.notes)


@pytest.mark.parametrize("footer", [
    [["Summe", "", "", "24"]],
    [["", "Gesamt", "", ""], ["", "Anzahl:", "2", ""]],
    [["Count: 2", "", "", ""]],
    [["Anzahl Teilnehmende", "2", "", ""], ["", "", "", "2"]],
])
def test_summary_rows_at_the_end_are_skipped(store, tmp_path, footer):
    path = write_csv(tmp_path / "sum.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                           ["2", "Bo", "Li", ""], *footer])
    summary = import_file(store, path)
    assert summary.added == 2
    assert sorted(a.id for a in store.all_attendees()) == ["1", "2", "S1"]
    assert any(f"{len(footer)} summary row(s) at the end skipped" in note
               for note in summary.notes)


def test_summary_row_in_the_middle_is_still_refused(store, tmp_path):
    path = write_csv(tmp_path / "mid.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                           ["Summe: 1", "", "", ""], ["2", "Bo", "Li", ""]])
    assert "line 3: no name" in refused(store, path)


def test_numbers_only_row_above_a_summary_row_is_refused(store, tmp_path):
    # Only rows from the first labelled one on are known to be the summary.
    path = write_csv(tmp_path / "sum.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                           ["2", "", "", ""], ["Summe", "1", "", ""]])
    assert "line 3: no name" in refused(store, path)


def test_only_a_summary_row_below_the_header_is_refused(store, tmp_path):
    path = write_csv(tmp_path / "sum.csv", [HEADER, ["Total: 0", "", "", ""]])
    assert "no attendee rows" in refused(store, path)


def test_xlsx_summary_row_with_a_formula_is_skipped(store, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([1, "Anna", "Weber", "a@x.de"])
    sheet.append([2, "Bo", "Li", "b@x.de"])
    sheet.append(["Summe", None, None, "=COUNTA(D2:D3)"])  # no cached value: empty cell
    workbook.save(tmp_path / "sum.xlsx")
    summary = import_file(store, tmp_path / "sum.xlsx")
    assert summary.added == 2
    assert any("(row 4: 'Summe')" in note for note in summary.notes)


@pytest.mark.parametrize("content", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_file(store, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "empty file" in refused(store, path)


def test_header_without_rows(store, tmp_path):
    path = write_csv(tmp_path / "header.csv", [HEADER])
    assert "no attendee rows" in refused(store, path, full=True)


def test_unreadable_file(store, tmp_path):
    assert "cannot read" in refused(store, tmp_path / "missing.csv")
    assert "cannot read" in refused(store, tmp_path)  # a folder


@pytest.mark.parametrize("payload,reason", [
    ({"id": "1"}, "must be a list"),
    ([1, 2], "item 1: expected an object"),
    ([{"given_name": "A", "family_name": "B", "extra": {"x": 1}}], "nested"),
    ([], "empty"),
])
def test_wrong_json_shape(store, tmp_path, payload, reason):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    assert reason in refused(store, path)


def test_invalid_json_names_the_line(store, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n {"given_name": "A",\n  "family_name": }\n]', encoding="utf-8")
    assert "line 3: not valid JSON" in refused(store, path)


def test_broken_and_legacy_workbooks(store, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert "not a readable XLSX" in refused(store, path)
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    assert "old Excel .xls" in refused(store, legacy)


def test_xlsx_duplicate_names_the_row(store, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Teilnehmerliste"])
    sheet.append(["Nr.", "Vorname", "Nachname"])
    sheet.append([1, "Anna", "Weber"])
    sheet.append([1, "Bo", "Li"])
    workbook.save(tmp_path / "dup.xlsx")
    assert "row 4: duplicate id '1' (first on row 3)" in refused(store, tmp_path / "dup.xlsx")


def test_cli_refusal_is_one_line_without_traceback(tmp_path):
    db = tmp_path / "event.sqlite"
    assert run_checkin("--db", str(db), "init", "--event", "E",
                       "--days", "2026-12-01").returncode == 0
    path = write_csv(tmp_path / "dup.csv", [HEADER, ["1", "Anna", "Weber", ""],
                                            ["1", "Bo", "Li", ""]])
    before = snapshot(db)
    result = run_checkin("--db", str(db), "import", str(path))
    assert result.returncode != 0
    assert result.stderr == f"error: {path}: line 3: duplicate id '1' (first on line 2)\n"
    assert result.stdout == ""
    assert snapshot(db) == before
