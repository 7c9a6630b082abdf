"""Acceptance regressions from files the team did not have: other pretix, Eventbrite,
Indico and German spreadsheet shapes, country spellings as people type them, names."""

import pytest

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
    ("NA", "NA"), ("Namibia", "NA"),
])
def test_more_country_spellings(text, code):
    assert parse_country(text) == code


@pytest.mark.parametrize("text", ["Kosovo", "Germany / Austria", "Narnia"])
def test_country_never_guessed_wrong(text):
    # pycountry's fuzzy search over subdivisions turned "Kosovo" into Serbia.
    assert parse_country(text) is None


@pytest.mark.parametrize("text", ["N/A", "n.a.", "none", "-", "keine Angabe", "k.A.",
                                  "Unknown"])
def test_placeholder_is_no_country(text):
    # "none" became Italy and "N/A" Namibia.
    assert parse_country(text) == ""


def test_placeholder_country_imports_blank_without_note(tmp_path):
    rows = [["First name", "Last name", "Country"], ["Anna", "Weber", "N/A"],
            ["Bo", "Li", "none"]]
    store = new_store(tmp_path / "event.sqlite")
    summary = import_file(store, write_csv(tmp_path / "a.csv", rows))
    assert {a.country for a in store.all_attendees()} == {""}
    assert all("country" not in a.extra for a in store.all_attendees())
    assert not [n for n in summary.notes if "country" in n]
