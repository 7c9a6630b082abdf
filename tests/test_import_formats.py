"""The family of inputs: encodings, delimiters, XLSX title rows, JSON, the column names of
pretix, Eventbrite, Indico and German spreadsheets, full-name columns, country spellings."""

import json

import pytest

from checkin.db import open_db
from checkin.errors import ImportRefused
from checkin.importing import import_file
from checkin.importing.readers import decode, sniff_delimiter
from checkin.importing.values import (
    infer_name_order,
    parse_country,
    parse_role,
    parse_status,
    split_full_name,
)
from checkin.store import Store
from tests.import_helpers import new_store, write_csv

PEOPLE = [
    ["Nr.", "Vorname", "Nachname", "Organisation", "Land", "E-Mail"],
    ["1", "Jürgen", "Groß", "Universität Köln", "Deutschland", "jg@example.de"],
    ["2", "Renée", "Dubois-Lévêque", "Hôpital Necker – Enfants malades", "Frankreich",
     "rd@example.fr"],
    ["3", "Łukasz", "Wąsowski", "Uniwersytet Warszawski", "Polen", "lw@example.pl"],
]


def by_id(store):
    return {a.id: a for a in store.all_attendees()}


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-16", "\t"),      # Excel "Unicode text": UTF-16 LE with BOM, tab-separated
    ("utf-8-sig", ","),    # Excel "CSV UTF-8": with BOM
    ("utf-8", "|"),
    ("utf-8", ";"),
    ("cp1252", ";"),       # Excel "CSV (Trennzeichen-getrennt)" on a German Windows
])
def test_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "people.csv", PEOPLE if encoding != "cp1252" else
                     [r for r in PEOPLE if r[0] != "3"], delimiter=delimiter, encoding=encoding)
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, path)
    people = by_id(store)
    assert people["1"].family_name == "Groß"
    assert people["2"].given_name == "Renée"
    assert people["2"].organisation == "Hôpital Necker – Enfants malades"
    assert people["2"].country == "FR"
    if encoding != "cp1252":
        assert people["3"].given_name == "Łukasz"
        assert people["3"].country == "PL"


def test_utf16_without_bom_and_big_endian(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        text = "\r\n".join("\t".join(row) for row in PEOPLE) + "\r\n"
        data = text.encode(encoding)
        assert decode(data)[0] == text


def test_cyrillic_8bit_file_is_detected(tmp_path):
    rows = [["Имя", "Фамилия", "Страна"], ["Дмитрий", "Волков", "Россия"],
            ["Анна", "Смирнова", "Россия"], ["Тарас", "Шевченко", "Украина"]]
    path = write_csv(tmp_path / "ru.csv", [["First name", "Last name", "Organisation"]] +
                     [[r[0], r[1], "Первый МГМУ им. И.М. Сеченова"] for r in rows[1:]],
                     delimiter=";", encoding="cp1251")
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, path)
    names = sorted(a.family_name for a in store.all_attendees())
    assert names == ["Волков", "Смирнова", "Шевченко"]


def test_sniffer_is_not_fooled_by_commas_in_values():
    text = "Vorname;Name;Land\nAnna;Kim;Korea, Republik\nBo;Li;China\n"
    assert sniff_delimiter(text) == ";"


def test_xlsx_with_title_rows_and_number_cells(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Personalised Medicine Congress 2026"])
    sheet.append(["Teilnehmerliste, Stand 1. Oktober"])
    sheet.append([])
    sheet.append(["Reg. no.", "Title", "Given name", "Family name", "Institution", "Country",
                  "Email", "Category"])
    sheet.append([100.0, "Prof. Dr.", "Anna", "Weber", "Charité", "Germany", "aw@example.de",
                  "Referentin"])
    sheet.append([101, None, "Kim", "Min-jun", "Seoul National University", "KOR",
                  "km@example.kr", "Presse"])
    workbook.save(tmp_path / "list.xlsx")
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, tmp_path / "list.xlsx")
    assert summary.added == 2
    people = by_id(store)
    assert people["100"].title == "Prof. Dr."
    assert people["100"].role == "speaker"
    assert people["101"].country == "KR"
    assert people["101"].role == "press"


def test_json_list_of_canonical_objects(tmp_path):
    data = [
        {"id": "A1", "title": "Dr.", "given_name": "Anna", "family_name": "Weber",
         "organisation": "Charité", "country": "DE", "role": "speaker", "email": "a@x.de",
         "days": ["2026-12-01"], "status": "confirmed", "code": "SECRET1",
         "name_order": "given_first", "diet": "vegan"},
        {"id": "A2", "given_name": "秀英", "family_name": "王", "country": "CN"},
    ]
    path = tmp_path / "people.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, path)
    people = by_id(store)
    assert people["A1"].days == ["2026-12-01"]
    assert people["A1"].code == "SECRET1"
    assert people["A1"].extra == {"diet": "vegan"}
    assert people["A2"].name_order == "family_first"


def test_eventbrite_report(tmp_path):
    rows = [
        ["Order #", "Order Date", "Prefix", "First Name", "Last Name", "Email", "Quantity",
         "Ticket Type", "Attendee #", "Attendee Status", "Job Title", "Company",
         "Home Country", "Barcode #"],
        ["1234567", "2026-10-01", "Dr.", "Maria", "Santos", "ms@example.br", "2",
         "Speaker Pass", "111", "Attending", "Oncologist", "Hospital Sírio-Libanês",
         "Brazil", "1234567111001"],
        ["1234567", "2026-10-01", "", "João", "Santos", "js@example.br", "2",
         "General Admission", "112", "Refunded", "", "Hospital Sírio-Libanês", "Brasil",
         "1234567112001"],
    ]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "eventbrite.csv", rows))
    people = by_id(store)
    assert set(people) == {"111", "112"}  # Attendee # is per person; Order # is shared
    assert people["111"].code == "1234567111001"
    assert people["111"].title == "Dr."
    assert people["111"].role == "speaker"
    assert people["111"].extra["Job Title"] == "Oncologist"
    assert people["112"].status == "cancelled"
    assert people["112"].country == "BR"


def test_indico_export(tmp_path):
    rows = [
        ["ID", "Title", "First Name", "Last Name", "Email", "Affiliation", "Position",
         "Country", "Registration state"],
        ["7", "Prof.", "Ana", "Silva", "as@example.pt", "Universidade de Lisboa", "Professor",
         "PT", "complete"],
        ["8", "", "Olu", "Adeyemi", "oa@example.ng", "University of Ibadan", "Postdoc",
         "Nigeria", "withdrawn"],
    ]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "indico.csv", rows))
    people = by_id(store)
    assert people["7"].organisation == "Universidade de Lisboa"
    assert people["7"].extra["Position"] == "Professor"
    assert people["7"].status == "confirmed"
    assert people["8"].status == "cancelled"


def test_pretix_order_code_with_position(tmp_path):
    rows = [["Order code", "Position ID", "Attendee name: Given name",
             "Attendee name: Family name", "Product", "Order status", "Secret"],
            ["ABC12", "1", "Anna", "Weber", "Conference ticket", "p", "s1"],
            ["ABC12", "2", "Bernd", "Weber", "Press", "c", "s2"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "pretix.csv", rows))
    people = by_id(store)
    assert set(people) == {"ABC12-1", "ABC12-2"}
    assert people["ABC12-2"].status == "cancelled"
    assert people["ABC12-2"].role == "press"


def test_german_spreadsheet_headers(tmp_path):
    rows = [["Lfd. Nr.", "Anrede", "Titel", "Vorname", "Nachname", "Firma", "Land", "E-Mail",
             "Teilnahmeart", "Status", "Bemerkungen"],
            ["1", "Frau", "Dr.", "Anja", "Katz", "Bayer AG", "Deutschland", "ak@example.de",
             "Aussteller", "bezahlt", "Stand 12"],
            ["2", "Herr", "", "Ömer", "Yılmaz", "Hacettepe", "Türkei", "oy@example.tr",
             "Mitarbeiter", "storniert", ""]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "liste.csv", rows, delimiter=";",
                                 encoding="utf-8"))
    people = by_id(store)
    assert people["1"].title == "Dr."
    assert people["1"].organisation == "Bayer AG"
    assert people["1"].role == "exhibitor"
    assert people["1"].extra["salutation"] == "Frau"
    assert people["1"].notes == "Stand 12"
    assert people["2"].role == "staff"
    assert people["2"].status == "cancelled"
    assert people["2"].country == "TR"


def test_full_name_column_is_split(tmp_path):
    rows = [["Name", "E-Mail", "Land"],
            ["Prof. Dr. med. Anna-Lena Müller", "am@example.de", "Deutschland"],
            ["Weber, Hans", "hw@example.de", "Österreich"],
            ["王秀英", "wx@example.cn", "China"],
            ["Ludwig van Beethoven", "lb@example.de", "Germany"],
            ["Camila Rodríguez Pérez", "cr@example.cl", "Chile"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "names.csv", rows))
    assert summary.added == 5
    people = {a.email: a for a in store.all_attendees()}
    assert all(a.id.startswith("auto-") for a in people.values())
    anna = people["am@example.de"]
    assert (anna.title, anna.given_name, anna.family_name) == ("Prof. Dr. med.", "Anna-Lena",
                                                               "Müller")
    assert (people["hw@example.de"].given_name, people["hw@example.de"].family_name) == (
        "Hans", "Weber")
    wang = people["wx@example.cn"]
    assert (wang.family_name, wang.given_name, wang.name_order) == ("王", "秀英", "family_first")
    assert people["lb@example.de"].family_name == "van Beethoven"
    assert people["cr@example.cl"].family_name == "Rodríguez Pérez"


def test_generated_ids_are_stable_across_reimport(tmp_path):
    rows = [["Vorname", "Nachname", "E-Mail"], ["Anna", "Weber", "aw@example.de"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    first = [a.id for a in store.all_attendees()]
    summary = import_file(store, write_csv(tmp_path / "b.csv", [*rows, ["Bo", "Li", ""]]))
    assert (summary.added, summary.unchanged) == (1, 1)
    assert first[0] in {a.id for a in store.all_attendees()}


@pytest.mark.parametrize("text,code", [
    ("USA", "US"), ("United States", "US"), ("Vereinigte Staaten", "US"), ("us", "US"),
    ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Republik Korea", "KR"),
    ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Tschechien", "CZ"),
    ("Türkei", "TR"), ("Türkiye", "TR"), ("Turkey", "TR"), ("Viet Nam", "VN"),
    ("Vietnam", "VN"), ("Russland", "RU"), ("Russian Federation", "RU"), ("UK", "GB"),
    ("Großbritannien", "GB"), ("Vereinigtes Königreich", "GB"), ("DEU", "DE"),
    ("Deutschland", "DE"), ("Frankreich", "FR"), ("Südafrika", "ZA"), ("Niederlande", "NL"),
    ("Iran, Islamic Republic of", "IR"), ("Iran", "IR"), ("Côte d'Ivoire", "CI"),
    ("Elfenbeinküste", "CI"), ("Schweiz", "CH"), ("Österreich", "AT"), ("  japan ", "JP"),
])
def test_country_variants(text, code):
    assert parse_country(text) == code


@pytest.mark.parametrize("text", ["Korea", "Narnia", "xx", "=1+1", "Congo"])
def test_unknown_or_ambiguous_country_is_not_guessed(text):
    assert parse_country(text) is None


def test_unknown_country_is_kept_in_extra(tmp_path):
    rows = [["First name", "Last name", "Country"], ["Anna", "Weber", "Narnia"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "a.csv", rows))
    (anna,) = store.all_attendees()
    assert anna.country == ""
    assert anna.extra["country"] == "Narnia"
    assert any("Narnia" in note for note in summary.notes)


@pytest.mark.parametrize("text,role", [
    ("Speaker ticket (Conference)", "speaker"), ("Referentin", "speaker"),
    ("Sprecher", "speaker"), ("Press pass", "press"), ("Presse", "press"),
    ("Staff", "staff"), ("Personal", "staff"), ("Mitarbeiter", "staff"), ("Orga", "staff"),
    ("Exhibitor pass", "exhibitor"), ("Aussteller", "exhibitor"),
    ("VIP / Ministry delegation", "vip"), ("Ehrengast", "vip"),
    ("Conference ticket", "delegate"), ("", "delegate"), ("Organisation fee", "delegate"),
])
def test_roles(text, role):
    assert parse_role(text) == role


@pytest.mark.parametrize("text,status", [
    ("cancelled", "cancelled"), ("Canceled", "cancelled"), ("storniert", "cancelled"),
    ("expired", "cancelled"), ("Refunded", "cancelled"), ("c", "cancelled"), ("e", "cancelled"),
    ("p", "confirmed"), ("n", "confirmed"), ("paid", "confirmed"), ("", "confirmed"),
    ("complete", "confirmed"),
])
def test_status(text, status):
    assert parse_status(text) == status


def test_name_splitting_edge_cases():
    assert split_full_name("이서연").family_name == "이"
    assert split_full_name("高橋さくら").family_name == "高橋"
    assert split_full_name("欧阳娜娜").family_name == "欧阳"
    assert split_full_name("Sir").family_name == "Sir"  # a single word is never a title
    assert split_full_name("Krisztina Horváth", "HU").family_name == "Horváth"
    assert split_full_name("Nguyễn Văn An", "VN").family_name == "Nguyễn"
    assert split_full_name("Anna Weber, PhD").family_name == "Weber"
    assert split_full_name("Seán Ó Súilleabháin").family_name == "Ó Súilleabháin"


@pytest.mark.parametrize("text,family,given", [
    ("佐々木 太郎", "佐々木", "太郎"),  # 々 is Han: a CJK name, family first
    ("佐々木太郎", "佐々木", "太郎"),  # 々 repeats 佐 and is counted with it: 2 + 2
    ("佐々木さくら", "佐々木", "さくら"),  # kanji before kana
    ("𠮷田太郎", "𠮷田", "太郎"),  # Extension B
    ("ｻｻｷ ﾀﾛｳ", "ｻｻｷ", "ﾀﾛｳ"),  # halfwidth katakana
])
def test_names_with_repeat_marks_and_rare_ideographs_split_family_first(text, family, given):
    parts = split_full_name(text)
    assert (parts.family_name, parts.given_name) == (family, given)


def test_name_order_inference():
    assert infer_name_order("さくら", "高橋", "") == "family_first"
    assert infer_name_order("Minh", "Nguyen", "VN") == "family_first"
    assert infer_name_order("Anna", "Weber", "DE") == "given_first"
    assert infer_name_order("𠀋", "𠮷", "") == "family_first"  # above U+20000


def test_name_order_column_wins(tmp_path):
    rows = [["First name", "Last name", "Country", "Name order"],
            ["Sakura", "Takahashi", "JP", "given first"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    assert store.all_attendees()[0].name_order == "given_first"


def test_days_by_date_and_number(tmp_path):
    rows = [["First name", "Last name", "Days"], ["Anna", "Weber", "2026-12-02"],
            ["Bo", "Li", "Tag 1"], ["Cy", "Ng", ""], ["Di", "Xu", "sometimes"],
            ["Ed", "Yu", "2026-11-30, 2026-12-01"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "a.csv", rows))
    days = {a.given_name: a.days for a in store.all_attendees()}
    assert days == {"Anna": ["2026-12-02"], "Bo": ["2026-12-01"], "Cy": [], "Di": [],
                    "Ed": ["2026-11-30", "2026-12-01"]}
    assert any("outside the event" in note for note in summary.notes)
    assert any("unreadable days" in note for note in summary.notes)
    di = next(a for a in store.all_attendees() if a.given_name == "Di")
    assert di.extra["days"] == "sometimes"


def test_map_overrides_columns(tmp_path, event_db, run_cli):
    rows = [["Ref", "Vorname", "Zuname", "Haus"], ["R1", "Anna", "Weber", "Charité"]]
    path = write_csv(tmp_path / "a.csv", rows)
    result = run_cli("import", str(path), "--map", "Ref=id", "--map", "Haus=organisation")
    assert result.exit_code == 0, result.output
    (anna,) = Store(open_db(event_db)).all_attendees()
    assert (anna.id, anna.organisation, anna.family_name) == ("R1", "Charité", "Weber")


def test_map_unknown_field_or_column_is_refused(tmp_path, event_db, run_cli):
    path = write_csv(tmp_path / "a.csv", [["Vorname", "Nachname"], ["Anna", "Weber"]])
    result = run_cli("import", str(path), "--map", "Vorname=nickname")
    assert result.exit_code != 0
    with pytest.raises(ImportRefused, match="no column 'Spitzname'"):
        import_file(Store(open_db(event_db)), path, mapping={"Spitzname": "given_name"})


def test_attendee_columns_win_over_order_columns_with_fallback(tmp_path):
    rows = [["Order code", "Position ID", "Email", "Attendee name: Given name",
             "Attendee name: Family name", "Attendee email", "Invoice address: Company",
             "Company"],
            ["ABC12", "1", "orders@uni.example", "Anna", "Weber", "anna@uni.example", "Uni",
             "Institut A"],
            ["ABC12", "2", "orders@uni.example", "Bo", "Li", "", "Uni", ""]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "pretix.csv", rows))
    people = by_id(store)
    assert people["ABC12-1"].email == "anna@uni.example"
    assert people["ABC12-1"].organisation == "Institut A"
    assert people["ABC12-2"].email == "orders@uni.example"  # blank: the order's email
    assert people["ABC12-2"].organisation == "Uni"


def test_map_finds_an_unknown_header_below_a_title(tmp_path):
    rows = [["Liste der Gäste"], ["Kennung", "Rufname", "Sippe"], ["K1", "Anna", "Weber"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows),
                mapping={"Kennung": "id", "Rufname": "given_name", "Sippe": "family_name"})
    (anna,) = store.all_attendees()
    assert (anna.id, anna.given_name, anna.family_name) == ("K1", "Anna", "Weber")


def test_excel_sep_hint_and_single_name_column(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nVorname;Nachname\nAnna;Weber, Dr.\n", encoding="utf-8")
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, path)
    assert store.all_attendees()[0].family_name == "Weber, Dr."
    names = tmp_path / "names.csv"
    names.write_text("Name\nDr. Eva Schmidt\nLudwig van Beethoven\n", encoding="utf-8")
    import_file(store, names)
    families = {a.family_name for a in store.all_attendees()}
    assert {"Schmidt", "van Beethoven"} <= families


def test_titles_need_their_dot_when_they_could_be_names(tmp_path):
    rows = [["Vorname", "Nachname"], ["Dr. Anna", "Weber"], ["Ing Ling", "Chen"],
            ["Mag. Eva", "Huber"]]
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, write_csv(tmp_path / "a.csv", rows))
    people = {a.family_name: a for a in store.all_attendees()}
    assert (people["Weber"].title, people["Weber"].given_name) == ("Dr.", "Anna")
    assert (people["Chen"].title, people["Chen"].given_name) == ("", "Ing Ling")
    assert (people["Huber"].title, people["Huber"].given_name) == ("Mag.", "Eva")


def test_xlsx_with_a_wrong_dimension_tag(tmp_path):
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "First name", "Last name", "Country"])
    sheet.append(["1", "Anna", "Weber", "Germany"])
    workbook.save(tmp_path / "good.xlsx")
    # Rewrite the sheet's <dimension ref="A1:D2"/> as "A1", as some exporters do.
    with zipfile.ZipFile(tmp_path / "good.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A1:D2"', b'ref="A1"')
            target.writestr(item, data)
    store = new_store(tmp_path / "event.sqlite")
    import_file(store, tmp_path / "bad.xlsx")
    (anna,) = store.all_attendees()
    assert (anna.id, anna.family_name, anna.country) == ("1", "Weber", "DE")


def test_encoding_detection_on_the_corpus():
    """Each corpus CSV, whole and one row at a time, in four encodings: decoded exactly."""
    from tests.conftest import CORPUS

    folder = CORPUS / "registrations"
    if not folder.exists():
        pytest.skip("shared corpus not present")
    for name in ("pretix_orders.csv", "anmeldungen.csv"):
        text, _ = decode((folder / name).read_bytes())
        assert "Renée" in text
        lines = text.splitlines()
        samples = [text] + [f"{lines[0]}\n{line}\n" for line in lines[1:]]
        for encoding in ("utf-8", "utf-8-sig", "utf-16", "cp1252"):
            for sample in samples:
                try:
                    data = sample.encode(encoding)
                except UnicodeEncodeError:
                    continue
                assert decode(data)[0] == sample, (name, encoding, sample[:60])


def test_no_column_spelling_means_two_fields():
    import tomllib

    from checkin import resources
    from checkin.importing.columns import header_key

    data = tomllib.loads((resources.assets() / "columns.toml").read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    for field, spellings in data["fields"].items():
        for spelling in spellings:
            key = header_key(spelling)
            assert key, spelling
            assert owner.setdefault(key, field) == field, (spelling, field, owner[key])
    # '#' keeps a number apart from a name: "Attendee #" is an id, "Attendee" a full name.
    assert owner[header_key("Attendee #")] == "id"
    assert owner[header_key("Attendee")] == "name"


def _both_xlsx_paths(path):
    """The sheet's rows through the fast XML walk and through openpyxl's iter_rows."""
    from checkin.importing.readers import _fast_sheets, _openpyxl_sheets

    def kept(rows):
        out = []
        for number, cells in rows:
            while cells and not cells[-1].strip():
                cells.pop()
            if cells:
                out.append((number, cells))
        return out

    tables = []
    for open_sheets in (_fast_sheets, _openpyxl_sheets):
        sheets, close = open_sheets(path.read_bytes())
        try:
            tables.append([kept(rows()) for rows in sheets])
        finally:
            close()
    fast, slow = tables
    return fast, slow


@pytest.mark.parametrize("write_only", [False, True])
def test_fast_xlsx_rows_equal_openpyxl_iter_rows(tmp_path, write_only):
    import datetime

    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("List") if write_only else workbook.active
    rich = CellRichText("Dr. ", TextBlock(InlineFont(b=True), "Anna"))
    sheet.append(["Title row"])
    sheet.append([])
    sheet.append(["Nr.", "Vorname", "Nachname", "Datum", "Zahl", "Ja", "Formel", "Rich"])
    sheet.append([1, "Anna", "Weber", datetime.date(2026, 12, 2), 1.5, True, "=1+1", rich])
    sheet.append([2.0, " Bo ", "", datetime.datetime(2026, 12, 3, 9, 30), -7, False])
    sheet.append([None, None, None, None, None, None, None, "late"])
    sheet.append([3, "=Zoë", "Łukasz", datetime.time(8, 15), 1e20, "", "#N/A", "x"])
    workbook.save(tmp_path / "mixed.xlsx")
    [fast], [slow] = _both_xlsx_paths(tmp_path / "mixed.xlsx")
    assert fast == slow
    assert fast[0] == (1, ["Title row"]) and fast[2][1][:4] == ["1", "Anna", "Weber",
                                                               "2026-12-02"]


def test_fast_xlsx_rows_read_shared_strings_and_gaps(tmp_path):
    """Excel writes text as shared strings (openpyxl writes inline strings) and leaves
    out empty cells and rows: a hand-made package with both."""
    import zipfile

    from openpyxl import Workbook

    Workbook().save(tmp_path / "base.xlsx")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = ["Vorname", "Nachname", "Anna", "Weber", "Müller &amp; Söhne"]
    shared = (f'<sst xmlns="{main}" count="5" uniqueCount="5">'
              + "".join(f"<si><t>{s}</t></si>" for s in strings[:4])
              + f'<si><r><t>{strings[4][:6]}</t></r><r><t>{strings[4][6:]}</t></r></si></sst>')
    sheet = (f'<worksheet xmlns="{main}"><sheetData>'
             '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="D2" t="s"><v>1</v></c></row>'
             '<row r="5"><c r="B5" t="s"><v>2</v></c><c r="D5" t="s"><v>3</v></c>'
             '<c r="E5" t="s"><v>4</v></c><c r="F5" t="str"><v>text</v></c>'
             '<c r="G5" t="b"><v>1</v></c><c r="H5"><v>0042</v></c></row>'
             '<row><c t="s"><v>2</v></c><c><v>2.50</v></c></row>'
             '</sheetData></worksheet>')
    with zipfile.ZipFile(tmp_path / "base.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "shared.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>"))
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>'))
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", shared)
    [fast], [slow] = _both_xlsx_paths(tmp_path / "shared.xlsx")
    assert fast == slow
    assert fast == [(2, ["", "Vorname", "", "Nachname"]),
                    (5, ["", "Anna", "", "Weber", "Müller & Söhne", "text", "yes", "42"]),
                    (6, ["Anna", "2.5"])]
