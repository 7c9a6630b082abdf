"""Acceptance regressions from files the team did not have: other pretix, Eventbrite,
Indico and German spreadsheet shapes, country spellings as people type them, names."""

import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.importing import import_file
from checkin.importing.values import parse_country
from tests.import_helpers import new_store, write_csv


@pytest.mark.parametrize("text,code", [
    ("Netherlands, The", "NL"), ("Bahamas, The", "BS"), ("the Netherlands", "NL"),
    ("Germany (DE)", "DE"), ("DE - Germany", "DE"), ("Deutschland (DE)", "DE"),
    ("Berlin, Germany", "DE"), ("Scotland, UK", "GB"), ("DR Congo", "CD"),
    ("Congo, Democratic Republic of the", "CD"), ("East Timor", "TL"),
    ("Trinidad & Tobago", "TT"), ("St. Kitts and Nevis", "KN"), ("St Lucia", "LC"),
    ("Hong Kong, China", "HK"), ("Micronesia", "FM"), ("Guinea-Bissau", "GW"),
    ("NA", "NA"), ("Namibia", "NA"), ("D", "DE"), ("A", "AT"), ("CH", "CH"),
])
def test_more_country_spellings(text, code):
    assert parse_country(text) == code


@pytest.mark.parametrize("text", ["Kosovo", "Germany / Austria", "Narnia"])
def test_country_never_guessed_wrong(text):
    # pycountry's fuzzy search over subdivisions turned "Kosovo" into Serbia.
    assert parse_country(text) is None


@pytest.mark.parametrize("text", ["N/A", "n.a.", "none", "-", "keine Angabe", "k.A.",
                                  "Unknown", "#N/A", "#NV"])
def test_placeholder_is_no_country(text):
    # "none" became Italy, "N/A" Namibia and a spreadsheet's "#N/A" Austria.
    assert parse_country(text) == ""


def test_placeholder_country_imports_blank_without_note(tmp_path):
    rows = [["First name", "Last name", "Country"], ["Anna", "Weber", "N/A"],
            ["Bo", "Li", "none"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "a.csv", rows))
    assert {a.country for a in store.all_attendees()} == {""}
    assert all("country" not in a.extra for a in store.all_attendees())
    assert not [n for n in summary.notes if "country" in n]


PRETIX = ["Order code", "Position ID", "Status", "Product", "Variation",
          "Attendee name: Given name", "Attendee name: Family name", "Attendee email",
          "Company", "Country", "Secret"]


def test_pretix_variation_names_the_role(tmp_path):
    rows = [PRETIX, ["ABCDE", "1", "Paid", "Conference ticket", "Speaker", "Hans", "Müller",
                     "h@x.de", "Charité", "DE", "s1"],
            ["FGHIJ", "1", "Paid", "Conference ticket", "Regular", "Eva", "Lang", "e@x.at",
             "MedUni", "AT", "s2"],
            ["KLMNO", "1", "Paid", "Press pass", "Online", "Ida", "Roth", "i@x.de", "SZ",
             "DE", "s3"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "orders.csv", rows))
    roles = {a.id: a.role for a in store.all_attendees()}
    assert roles == {"ABCDE-1": "speaker", "FGHIJ-1": "delegate", "KLMNO-1": "press"}


def test_pretix_nameless_addon_positions_are_skipped(tmp_path):
    rows = [PRETIX, ["ABCDE", "1", "Paid", "Conference ticket", "", "Hans", "Müller",
                     "h@x.de", "Charité", "DE", "s1"],
            ["ABCDE", "2", "Paid", "Workshop A", "", "", "", "", "", "", "s2"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "orders.csv", rows))
    assert [a.id for a in store.all_attendees()] == ["ABCDE-1"]
    assert summary.added == 1
    assert any("nameless position" in note for note in summary.notes)


def test_nameless_row_of_an_unnamed_order_is_still_refused(tmp_path):
    from checkin.errors import ImportRefused
    from tests.import_helpers import snapshot

    rows = [PRETIX, ["ABCDE", "1", "Paid", "Conference ticket", "", "Hans", "Müller",
                     "h@x.de", "Charité", "DE", "s1"],
            ["ZZZZZ", "1", "Paid", "Parking", "", "", "", "", "", "", "s4"]]
    store = new_store(tmp_path / "event.sqlite")
    before = snapshot(tmp_path / "event.sqlite")
    with pytest.raises(ImportRefused, match="line 3: no name in this row"):
        import_file(store, write_csv(tmp_path / "orders.csv", rows))
    assert snapshot(tmp_path / "event.sqlite") == before


def test_storniert_in_the_category_cancels_without_a_status_column(tmp_path):
    header = ["Vorname", "Nachname", "Kategorie"]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", [
        header, ["Kurt", "Storno", "Teilnehmer"], ["Ida", "Roth", "Referentin"]]))
    summary = import_file(store, write_csv(tmp_path / "b.csv", [
        header, ["Kurt", "Storno", "Storniert"], ["Ida", "Roth", "Referentin (storniert)"]]))
    people = {a.family_name: a for a in store.all_attendees()}
    assert summary.cancelled == 2
    assert people["Storno"].status == people["Roth"].status == "cancelled"
    assert people["Roth"].role == "speaker"


@pytest.mark.parametrize("text,country,title,given,family,suffix", [
    ("Dr. Maria de los Ángeles Fernández de Córdoba", "ES", "Dr.", "Maria de los Ángeles",
     "Fernández de Córdoba", ""),
    ("Gabriel García Márquez", "CO", "", "Gabriel", "García Márquez", ""),
    ("Ana de la Fuente García", "ES", "", "Ana", "de la Fuente García", ""),
    ("Juan de la Cruz", "ES", "", "Juan", "de la Cruz", ""),
    ("Dr.-Ing. Klaus Schmidt", "DE", "Dr.-Ing.", "Klaus", "Schmidt", ""),
    ("Dr.-Ing. E.h. Klaus Schmidt", "DE", "Dr.-Ing. E.h.", "Klaus", "Schmidt", ""),
    ("Dr. Weber, Anna", "", "Dr.", "Anna", "Weber", ""),
    ("Weber, Anna, Dr.", "", "Dr.", "Anna", "Weber", ""),
    ("Weber, Prof. Dr. Anna", "", "Prof. Dr.", "Anna", "Weber", ""),
    ("Smith, John, Jr.", "", "", "John", "Smith", "Jr."),
    ("John Smith Jr.", "US", "", "John", "Smith", "Jr."),
    ("Martin Luther King Jr", "US", "", "Martin Luther", "King", "Jr"),
    ("John Smith III", "US", "", "John", "Smith", "III"),
    ("Yo-Yo Ma", "US", "", "Yo-Yo", "Ma", ""),  # "Ma" is a family name, not a degree
    ("Prof. Dr. med. Hans-Peter Müller", "DE", "Prof. Dr. med.", "Hans-Peter", "Müller", ""),
    ("van der Berg, Anna", "NL", "", "Anna", "van der Berg", ""),
])
def test_full_name_splits(text, country, title, given, family, suffix):
    from checkin.importing.values import split_full_name

    parts = split_full_name(text, country)
    assert (parts.title, parts.given_name, parts.family_name, parts.suffix) == (
        title, given, family, suffix)


EVENT_DAYS = ["2026-11-29", "2026-11-30"]  # a Sunday and a Monday


@pytest.mark.parametrize("text,days", [
    ("29.11.2026", ["2026-11-29"]), ("29.11.", ["2026-11-29"]), ("30.11.26", ["2026-11-30"]),
    ("29.11.2026, 30.11.2026", EVENT_DAYS), ("11/29/2026", ["2026-11-29"]),
    ("29/11/2026", ["2026-11-29"]), ("2026-11-29 00:00:00", ["2026-11-29"]),
    ("Montag", ["2026-11-30"]), ("Mo 30.11.", ["2026-11-30"]), ("Sunday", ["2026-11-29"]),
    ("Tag 1 + Tag 2", EVENT_DAYS), ("1 und 2", EVENT_DAYS), ("1 & 2", EVENT_DAYS),
    ("nur Tag 2", ["2026-11-30"]), ("Day 1 only", ["2026-11-29"]), ("beide Tage", []),
    ("Teilnahme Tag 2", ["2026-11-30"]), ("am 29.11.", ["2026-11-29"]),
])
def test_days_as_people_write_them(text, days):
    from checkin.importing.values import parse_days

    assert parse_days(text, EVENT_DAYS) == days


@pytest.mark.parametrize("text", ["03/04/2026", "31.02.2026", "Dienstag", "Tag 3", "x"])
def test_days_that_cannot_be_read(text):
    from checkin.importing.values import parse_days

    # Unreadable: the importer registers the person for every day and notes the text.
    assert parse_days(text, EVENT_DAYS) is None


def _indexes(db_path):
    conn = keyed_connect(db_path)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()


def _people(count):
    return [["Nr.", "Vorname", "Nachname", "Land"],
            *([str(i), f"Anna{i}", "Weber", "DE"] for i in range(count))]


def test_chunked_import_keeps_every_index_and_event(tmp_path, monkeypatch):
    from checkin.importing import importer

    monkeypatch.setattr(importer, "FIRST_CHUNK", 7)  # several chunks, on a small file
    monkeypatch.setattr(importer, "CHUNK_SECONDS", 1e-6)
    db_path = tmp_path / "event.sqlite"
    store = new_store(db_path)
    import_file(store, write_csv(tmp_path / "first.csv", [["Nr.", "Vorname", "Nachname"],
                                                           ["x", "First", "Person"]]))
    before = _indexes(db_path)
    summary = import_file(store, write_csv(tmp_path / "a.csv", _people(50)))
    assert summary.added == 50
    assert _indexes(db_path) == before
    (created,) = store.db.conn.execute(
        "SELECT count(DISTINCT uuid) FROM events WHERE type = 'attendee_created'").fetchone()
    assert created == 51


def test_the_first_import_is_one_transaction_with_indexes_rebuilt(tmp_path, monkeypatch):
    from checkin.dbapi import sqlite3
    from checkin.importing import importer
    from tests.import_helpers import snapshot

    monkeypatch.setattr(importer, "BULK_ROWS", 10)  # the bulk path, on a small file
    monkeypatch.setattr(importer, "FIRST_CHUNK", 7)  # chunks would split it: they do not
    db_path = tmp_path / "event.sqlite"
    store = new_store(db_path)
    # A real failure at the end of the write: the database itself refuses one event.
    store.db.conn.execute(
        "CREATE TRIGGER no_forty BEFORE INSERT ON events WHEN NEW.attendee_id = '40' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
    before_indexes, before_data = _indexes(db_path), snapshot(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="refused by test"):
        import_file(store, write_csv(tmp_path / "a.csv", _people(50)))
    assert _indexes(db_path) == before_indexes
    assert snapshot(db_path) == before_data
    store.db.conn.execute("DROP TRIGGER no_forty")
    assert import_file(store, write_csv(tmp_path / "a.csv", _people(50))).added == 50
    assert _indexes(db_path) == before_indexes


def test_a_write_refused_half_way_says_what_was_written(tmp_path, monkeypatch):
    from checkin.dbapi import sqlite3
    from checkin.errors import CheckinError
    from checkin.importing import importer
    from tests.import_helpers import snapshot

    monkeypatch.setattr(importer, "FIRST_CHUNK", 100)
    monkeypatch.setattr(importer, "CHUNK_SECONDS", 1e-6)  # every chunk 100 rows
    db_path = tmp_path / "event.sqlite"
    store = new_store(db_path)
    import_file(store, write_csv(tmp_path / "first.csv", [["Nr.", "Vorname", "Nachname"],
                                                           ["first", "First", "Person"]]))
    # A real failure in the middle: the database itself refuses one event.
    store.db.conn.execute(
        "CREATE TRIGGER no_forty BEFORE INSERT ON events WHEN NEW.attendee_id = '140' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
    before = snapshot(db_path)
    file = write_csv(tmp_path / "a.csv", _people(150))
    with pytest.raises(CheckinError, match=r"stopped \(refused by test\) after 100 of 150 "
                       "changes.*import the file again to finish"):
        import_file(store, file)
    attendees, events = snapshot(db_path)
    assert len(attendees) == 101 and events == before[1] + 100  # each with its event
    store.db.conn.execute("DROP TRIGGER no_forty")
    summary = import_file(store, file)
    assert (summary.added, summary.unchanged) == (50, 100)
    # A refusal in the first chunk changes nothing at all.
    store.db.conn.execute(
        "CREATE TRIGGER no_first BEFORE INSERT ON events WHEN NEW.attendee_id = 'x0' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test'); END")
    before = snapshot(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="refused by test"):
        import_file(store, write_csv(tmp_path / "b.csv", [["Nr.", "Vorname", "Nachname"],
                                                           ["x0", "A", "B"]]))
    assert snapshot(db_path) == before


@pytest.mark.parametrize("header,field", [
    ("First name (as on badge)", "given_name"), ("Last name(s)", "family_name"),
    ("Affiliation (University/Company)", "organisation"),
    ("Organization/Affiliation", "organisation"), ("Surname / Family name", "family_name"),
    ("Country / Region of residence", "country"), ("Nationalität", "country"),
    ("Akad. Grad", "title"), ("Ticketkategorie", "role"), ("Registration category", "role"),
    ("Status der Anmeldung", "status"), ("Registrierungs-ID", "id"),
    ("Name auf dem Namensschild", "badge_name"), ("Vorname/Nachname", "name"),
    ("Registrations (Berlin/Potsdam)", None), ("Foo (Bar)", None),
])
def test_headers_as_forms_write_them(header, field):
    from checkin.importing.columns import field_for

    assert field_for(header) == field


def test_google_forms_style_export(tmp_path):
    rows = [["Timestamp", "Email Address", "First name (as on badge)", "Last name(s)",
             "Affiliation (University/Company)", "Country / Region of residence"],
            ["2026/10/01 10:00:00", "a@x.de", "Anna", "Weber", "Charité", "Germany"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "form.csv", rows))
    (anna,) = store.all_attendees()
    assert (anna.given_name, anna.family_name, anna.organisation, anna.country, anna.email) == (
        "Anna", "Weber", "Charité", "DE", "a@x.de")


@pytest.mark.parametrize("text,country,given,family", [
    ("Horváth Krisztina", "HU", "Krisztina", "Horváth"),
    ("Krisztina Horváth", "HU", "Krisztina", "Horváth"),
    ("Nagy Anna Mária", "HU", "Anna Mária", "Nagy"),
    ("Kim Min-jun", "KR", "Min-jun", "Kim"), ("Min-jun Kim", "KR", "Min-jun", "Kim"),
    ("Wang Fang", "CN", "Fang", "Wang"), ("Zhang Xiaoming", "CN", "Xiaoming", "Zhang"),
    ("Tanaka Hiroshi", "JP", "Hiroshi", "Tanaka"), ("Hiroshi Tanaka", "JP", "Hiroshi", "Tanaka"),
    ("Kim Smith", "US", "Kim", "Smith"),  # only for the family-first countries
])
def test_romanised_family_first_names(text, country, given, family):
    from checkin.importing.values import split_full_name

    parts = split_full_name(text, country)
    assert (parts.given_name, parts.family_name) == (given, family)


def test_hungarian_full_name_column_keeps_the_family_name(tmp_path):
    rows = [["Name", "Land"], ["Horváth Krisztina", "Ungarn"], ["Krisztina Nagy", "HU"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    people = sorted((a.family_name, a.given_name, a.display_name)
                    for a in store.all_attendees())
    assert people == [("Horváth", "Krisztina", "Horváth Krisztina"),
                      ("Nagy", "Krisztina", "Nagy Krisztina")]


@pytest.mark.parametrize("text,status", [
    ("Abgemeldet", "cancelled"), ("Absage", "cancelled"), ("Transferred", "cancelled"),
    ("Voided", "cancelled"), ("Annulliert", "cancelled"), ("Warteliste", "cancelled"),
    ("Waitlist", "cancelled"), ("Paid", "confirmed"), ("Checked In", "confirmed"),
    ("Attending", "confirmed"), ("unpaid", "confirmed"), ("Avoid", "confirmed"),
])
def test_status_words(text, status):
    from checkin.importing.values import parse_status

    assert parse_status(text) == status


@pytest.mark.parametrize("text,role", [
    ("Organisationsteam", "staff"), ("Fotograf", "press"), ("Security", "staff"),
    ("Catering", "staff"), ("Stand staff", "exhibitor"), ("Conference ticket", "delegate"),
])
def test_role_words(text, role):
    from checkin.importing.values import parse_role

    assert parse_role(text) == role


def test_json_with_nested_values_outside_the_fields_imports(tmp_path):
    import json

    path = tmp_path / "api.json"
    path.write_text(json.dumps([
        {"id": 7, "given_name": "Ana", "family_name": "Silva", "days": ["2026-12-01"],
         "answers": [{"question": "diet", "answer": "vegan"}], "checkins": {"2026-12-01": None}},
    ]), encoding="utf-8")
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, path)
    (ana,) = store.all_attendees()
    assert (ana.id, ana.given_name, ana.days) == ("7", "Ana", ["2026-12-01"])
    assert any("'answers', 'checkins'" in note for note in summary.notes)


def test_attendance_json_export_imports_back_unchanged(tmp_path):
    from checkin.exporting import export_attendance

    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", [
        ["id", "First name", "Last name", "Company", "Country", "Ticket", "Secret"],
        ["1", "Anna", "Weber", "Charité", "DE", "Speaker", "S1"],
        ["2", "伟", "张", "北京大学", "CN", "Press", "S2"]]))
    export_attendance(store, tmp_path / "att.json")
    summary = import_file(store, tmp_path / "att.json")
    assert (summary.added, summary.changed, summary.unchanged) == (0, 0, 2)


def test_eventbrite_prefix_salutation_is_not_a_title(tmp_path):
    rows = [["Order #", "First Name", "Last Name", "Email", "Ticket Type", "Attendee #",
             "Barcode #", "Attendee Status", "Prefix"],
            ["111", "Chloé", "Martin", "c@x.fr", "General Admission", "201", "9001",
             "Attending", "Ms."],
            ["111", "Anja", "Katz", "a@x.ch", "Speaker", "202", "9002", "Attending", "Dr."],
            ["112", "Ida", "Roth", "i@x.de", "General Admission", "203", "9003",
             "Not Attending", "Frau Dr."]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "eventbrite.csv", rows))
    people = {a.id: a for a in store.all_attendees()}
    assert (people["201"].title, people["201"].extra["salutation"]) == ("", "Ms.")
    assert people["202"].title == "Dr." and people["202"].role == "speaker"
    assert (people["203"].title, people["203"].extra["salutation"]) == ("Dr.", "Frau")
    assert people["203"].status == "cancelled" and people["201"].code == "9001"


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_too_many_rows_are_refused_in_one_line(tmp_path, monkeypatch, kind):
    import json

    from checkin.errors import ImportRefused
    from checkin.importing import readers
    from tests.import_helpers import snapshot

    monkeypatch.setattr(readers, "MAX_ROWS", 5)  # the real limit is 250,000
    rows = _people(10)
    path = tmp_path / f"big.{kind}"
    if kind == "csv":
        write_csv(path, rows)
    elif kind == "json":
        path.write_text(json.dumps([dict(zip(rows[0], r, strict=True)) for r in rows[1:]]))
    else:
        from openpyxl import Workbook

        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
    store = new_store(tmp_path / "event.sqlite")
    before = snapshot(tmp_path / "event.sqlite")
    with pytest.raises(ImportRefused, match="more than 5 rows") as refused:
        import_file(store, path)
    assert "\n" not in str(refused.value)
    assert snapshot(tmp_path / "event.sqlite") == before


@pytest.mark.parametrize("text,encoding", [
    ("Nr.;Vorname;Nachname\n1;Łukasz;Wąsowski\n2;Michał;Żak\n", "cp1250"),
    ("Nr.;Vorname;Nachname\n1;Jiří;Dvořák\n", "cp1250"),
    ("Nr.;Vorname;Nachname\n1;Věra;Němcová\n2;Ľubomír;Šťastný\n", "cp1250"),
    ("Nr.;Vorname;Nachname\n1;Ödön;Győri\n2;Réka;Kőszegi\n", "cp1250"),
    # Western files stay cp1252: Danish ø after consonants, Italian ò at the end of a word,
    # Portuguese õe, Spanish ordinals and question marks.
    ("Nr.;Vorname;Nachname\n1;Søren;Kierkegård\n2;Bjørn;Møller\n3;Niccolò;Più\n"
     "4;Luís;Simões\n5;Jürgen;Groß\n", "cp1252"),
    ("Nr.;Nombre;Apellido;Dirección\n1;José;Núñez;Calle Nº 5, 1ª\n2;Ángel;Peña;¿Qué?\n",
     "cp1252"),
])
def test_central_european_excel_csv(text, encoding):
    from checkin.importing.readers import decode

    assert decode(text.encode(encoding)) == (text, encoding)


def test_busy_database_is_one_line_and_unchanged(tmp_path):
    from checkin.errors import CheckinError
    from tests.import_helpers import snapshot

    db_path = tmp_path / "event.sqlite"
    store = new_store(db_path)
    store.db.conn.execute("PRAGMA busy_timeout = 50")  # the test need not wait 10 s
    before = snapshot(db_path)
    other = keyed_connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(CheckinError, match="database is busy"):
            import_file(store, write_csv(tmp_path / "a.csv", _people(3)))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert snapshot(db_path) == before


def test_repeated_header_rows_are_skipped(tmp_path):
    header = ["Vorname", "Nachname", "Firma"]
    rows = [header, ["Anna", "Weber", "Charité"], [*header, ""], ["Bo", "Li", "PKU"], header]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "pasted.csv", rows))
    assert sorted(a.family_name for a in store.all_attendees()) == ["Li", "Weber"]
    assert any("2 repeated header" in note for note in summary.notes)


def test_pretix_checkin_list_with_a_two_attendee_order(tmp_path):
    # pretix's check-in list export has "Order code" but no position column: an order
    # with two attendees was refused as a duplicate id.
    rows = [["Order code", "Attendee name", "Product", "Price", "Checked in", "Secret",
             "E-mail", "Company"],
            ["ABCDE", "Hans Müller", "Conference ticket", "250.00", "", "sec1", "h@x.de", "C"],
            ["ABCDE", "Anna Weber", "Speaker ticket", "0.00", "", "sec2", "a@x.de", "L"],
            ["FGHIJ", "Jean Dupont", "Conference ticket", "250.00", "", "sec3", "j@x.fr", ""]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "checkin-list.csv", rows))
    people = {a.id: (a.family_name, a.code) for a in store.all_attendees()}
    assert people == {"ABCDE-1": ("Müller", "sec1"), "ABCDE-2": ("Weber", "sec2"),
                      "FGHIJ-1": ("Dupont", "sec3")}
    again = import_file(store, write_csv(tmp_path / "checkin-list.csv", rows))
    assert (summary.added, again.unchanged) == (3, 3)


def test_order_code_alone_stays_the_id_when_no_order_repeats(tmp_path):
    rows = [["Order code", "Attendee name"], ["ABCDE", "Hans Müller"], ["FGHIJ", "Jean Dupont"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "orders.csv", rows))
    assert sorted(a.id for a in store.all_attendees()) == ["ABCDE", "FGHIJ"]


def test_a_job_function_does_not_override_the_category(tmp_path):
    rows = [["Vorname", "Nachname", "Kategorie", "Funktion"],
            ["Eva", "Lang", "Teilnehmerin", "Pressesprecherin"],
            ["Ida", "Roth", "", "Referentin"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    roles = {a.family_name: a.role for a in store.all_attendees()}
    assert roles == {"Lang": "delegate", "Roth": "speaker"}  # an empty category still falls back


def test_shared_codes_are_noted(tmp_path):
    rows = [["id", "First name", "Last name", "Barcode"], ["1", "Anna", "Weber", "X1"],
            ["2", "Bo", "Li", "X1"], ["3", "Cem", "Öz", "X3"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "a.csv", rows))
    assert summary.added == 3
    assert any("1 code(s) shared" in note and "'X1'" in note for note in summary.notes)


def test_one_tick_column_per_day(tmp_path):
    rows = [["Vorname", "Nachname", "Tag 1", "Mi 2.12.", "Bemerkung"],
            ["Anna", "Weber", "x", "x", ""], ["Bo", "Li", "x", "", ""],
            ["Cem", "Öz", "nein", "✓", ""], ["Dan", "Ng", "", "", "kommt vielleicht"]]
    store = new_store(tmp_path / "event.sqlite")  # 2026-12-01 (Tue) and 2026-12-02 (Wed)
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    days = {a.given_name: a.days for a in store.all_attendees()}
    assert days == {"Anna": [], "Bo": ["2026-12-01"], "Cem": ["2026-12-02"], "Dan": []}
    assert all("Tag 1" not in a.extra for a in store.all_attendees())
    import_file(store, write_csv(tmp_path / "b.csv", [rows[0], ["Bo", "Li", "", "x", ""]]))
    assert {a.given_name: a.days for a in store.all_attendees()}["Bo"] == ["2026-12-02"]


def test_a_day_named_column_with_other_text_stays_extra(tmp_path):
    rows = [["Vorname", "Nachname", "Tag 1"], ["Anna", "Weber", "Workshop A"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    (anna,) = store.all_attendees()
    assert (anna.days, anna.extra["Tag 1"]) == ([], "Workshop A")


@pytest.mark.parametrize("text,country,given,family", [
    ("DUPONT Jean-Pierre", "FR", "Jean-Pierre", "DUPONT"),
    ("Jean-Pierre DUPONT", "FR", "Jean-Pierre", "DUPONT"),
    ("Anna VON DER LEYEN", "DE", "Anna", "VON DER LEYEN"),
    ("Pierre van DAMME", "BE", "Pierre", "van DAMME"),
    ("ZHANG Wei", "CN", "Wei", "ZHANG"), ("Wei ZHANG", "CN", "Wei", "ZHANG"),
    ("Ana María GARCÍA LÓPEZ", "ES", "Ana María", "GARCÍA LÓPEZ"),
    ("JOHN SMITH", "US", "JOHN", "SMITH"),  # all capitals say nothing
    ("J. R. R. Tolkien", "GB", "J. R. R.", "Tolkien"),  # initials are no family name
])
def test_family_name_in_capitals(text, country, given, family):
    from checkin.importing.values import split_full_name

    parts = split_full_name(text, country)
    assert (parts.given_name, parts.family_name) == (given, family)


def test_opendocument_spreadsheet_is_named(tmp_path):
    import zipfile

    from checkin.errors import ImportRefused

    path = tmp_path / "anmeldungen.ods"
    with zipfile.ZipFile(path, "w") as archive:  # LibreOffice writes the mimetype first
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    store = new_store(tmp_path / "event.sqlite")
    with pytest.raises(ImportRefused, match=r"OpenDocument spreadsheet \(\.ods\): save it as"):
        import_file(store, path)


CVENT = [["Confirmation Number", "First Name", "Last Name", "Title", "Company Name",
          "Email Address", "Registration Type", "Registration Status"],
         ["C1", "Anna", "Weber", "Senior Scientist", "Roche", "a@x.ch", "Attendee", "Accepted"],
         ["C2", "Bob", "Li", "CEO", "BioTech", "b@x.cn", "Speaker", "Cancelled"],
         ["C3", "Eva", "Lang", "Dr.", "MedUni", "e@x.at", "Attendee", "Waitlisted"]]


def test_a_job_title_column_is_not_printed_as_a_title(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "cvent.csv", CVENT))
    people = {a.id: a for a in store.all_attendees()}
    assert {a.title for a in people.values()} == {""}
    assert people["C1"].extra["Title"] == "Senior Scientist"
    assert (people["C2"].role, people["C2"].status, people["C3"].status) == (
        "speaker", "cancelled", "cancelled")
    assert any("job titles" in note for note in summary.notes)


def test_a_mapped_title_column_is_taken_as_it_is(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "cvent.csv", CVENT), mapping={"Title": "title"})
    assert {a.id: a.title for a in store.all_attendees()}["C1"] == "Senior Scientist"


def test_an_academic_title_column_stays(tmp_path):
    rows = [["ID", "Title", "First Name", "Last Name"], ["1", "Dr", "Maria", "Rossi"],
            ["2", "Prof. Dr. med.", "Hans", "Müller"], ["3", "", "Ana", "Silva"],
            ["4", "Mr", "Lee", "Kim"], ["5", "PD Dr.", "Eva", "Lang"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "indico.csv", rows))
    titles = {a.id: a.title for a in store.all_attendees()}
    assert titles == {"1": "Dr", "2": "Prof. Dr. med.", "3": "", "4": "", "5": "PD Dr."}


@pytest.mark.parametrize("text,academic", [
    ("DDr.", True), ("Mag.a", True), ("Prof. (FH) Dr.", True), ("apl. Prof.", True),
    ("PhD", True), ("M.Sc.", True), ("Frau Dr.", True), ("CEO", False),
    ("Senior Scientist", False), ("Head of Unit", False),
])
def test_academic_or_job_title(text, academic):
    from checkin.importing.values import is_courtesy_title

    assert is_courtesy_title(text) is academic


PRETIX_JSON_EXPORT = {"event": {
    "name": "Conf", "items": [{"id": 11, "name": {"en": "Conference ticket"}},
                              {"id": 12, "name": "Speaker ticket"}, {"id": 13, "name": "Workshop"}],
    "orders": [
        {"code": "ABCDE", "status": "p", "email": "buyer@corp.de", "positions": [
            {"id": 501, "positionid": 1, "item": 12, "attendee_name": "Hans Müller",
             "attendee_name_parts": {"_scheme": "title_given_family", "title": "Prof. Dr.",
                                     "given_name": "Hans", "family_name": "Müller"},
             "attendee_email": "hans@uni.de", "secret": "s1", "company": "Charité",
             "country": "DE", "answers": [{"question": 1, "answer": "vegan"}]},
            {"id": 502, "positionid": 2, "item": 13, "attendee_name": None,
             "attendee_name_parts": {}, "secret": "s2"}]},
        {"code": "FGHIJ", "status": "c", "email": "x@y.fr", "positions": [
            {"id": 503, "positionid": 1, "item": 11, "attendee_name": "Jean Dupont",
             "attendee_name_parts": {"given_name": "Jean", "family_name": "Dupont"},
             "secret": "s3", "country": "FR"}]}]}}

PRETIX_API_POSITIONS = {"count": 2, "next": None, "results": [
    {"id": 501, "order": "ABCDE", "positionid": 1, "item": 12, "attendee_name": "Hans Müller",
     "attendee_name_parts": {"given_name": "Hans", "family_name": "Müller"},
     "attendee_email": "hans@uni.de", "secret": "s1", "company": "Charité", "country": "DE"},
    {"id": 503, "order": "FGHIJ", "positionid": 1, "item": 11, "attendee_name": "Jean Dupont",
     "attendee_name_parts": {"given_name": "Jean", "family_name": "Dupont"},
     "attendee_email": None, "secret": "s3", "company": None, "country": "FR"}]}


def test_pretix_json_export_and_api_positions_sync_the_same_people(tmp_path):
    import json

    store = new_store(tmp_path / "event.sqlite")
    api = tmp_path / "positions.json"
    api.write_text(json.dumps(PRETIX_API_POSITIONS), encoding="utf-8")
    first = import_file(store, api)
    export = tmp_path / "orders.json"
    export.write_text(json.dumps(PRETIX_JSON_EXPORT), encoding="utf-8")
    second = import_file(store, export)
    people = {a.id: a for a in store.all_attendees()}
    assert sorted(people) == ["ABCDE-1", "FGHIJ-1"]
    hans, jean = people["ABCDE-1"], people["FGHIJ-1"]
    assert (hans.title, hans.given_name, hans.family_name, hans.code, hans.role) == (
        "Prof. Dr.", "Hans", "Müller", "s1", "speaker")
    assert (jean.status, jean.email) == ("cancelled", "x@y.fr")
    assert (first.added, second.added, second.cancelled) == (2, 0, 1)


@pytest.mark.parametrize("event", [
    {"orders": [{"code": "A", "positions": "x"}], "items": "y"},
    {"orders": [{"code": "A", "positions": [{"item": [], "attendee_name": "Anna Weber"}]}],
     "items": [{"id": [], "name": "x"}]},
    {"orders": [{"code": "A", "positions": [{"item": {"x": 1}, "attendee_name": "Anna"}]}]},
])
def test_odd_pretix_json_shapes_never_crash(tmp_path, event):
    import json

    from checkin.errors import CheckinError

    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"event": event}), encoding="utf-8")
    store = new_store(tmp_path / "event.sqlite")
    try:
        import_file(store, path)
    except CheckinError as refused:
        assert "\n" not in str(refused)


def test_row_with_only_a_badge_name_imports(tmp_path):
    header = ["ID", "Vorname", "Nachname", "Display name", "Land"]
    rows = [header, ["1", "Anna", "Weber", "", "DE"], ["2", "", "", "Kimi", "FI"],
            ["3", "", "", "–", "DE"]]
    store = new_store(tmp_path / "event.sqlite")
    from checkin.errors import ImportRefused
    with pytest.raises(ImportRefused, match="line 4: no name in this row"):
        import_file(store, write_csv(tmp_path / "a.csv", rows))  # no letter: no name
    summary = import_file(store, write_csv(tmp_path / "b.csv", rows[:3]))
    kimi = store.attendee("2")
    assert (kimi.badge_name, kimi.given_name, kimi.family_name) == ("Kimi", "Kimi", "")
    assert summary.added == 2
    assert any("only a badge name" in note for note in summary.notes)


def test_badge_only_row_keeps_stored_names_on_reimport(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", [["ID", "First name", "Last name"],
                                                      ["7", "Robert", "Smith"]]))
    import_file(store, write_csv(tmp_path / "b.csv", [
        ["ID", "First name", "Last name", "Badge name"], ["7", "", "", "Bob"]]))
    bob = store.attendee("7")
    assert (bob.given_name, bob.family_name, bob.badge_name) == ("Robert", "Smith", "Bob")


def test_file_with_only_a_badge_name_column_imports(tmp_path):
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", [["Badge name", "E-Mail"],
                                                      ["Zoë", "z@example.org"]]))
    [zoe] = store.all_attendees()
    assert (zoe.given_name, zoe.badge_name, zoe.email) == ("Zoë", "Zoë", "z@example.org")
