"""Attendee import: files from registration systems and spreadsheets into the event database.

    readers   bytes -> table of text cells (CSV with sniffed delimiter/encoding, XLSX, JSON)
    columns   header row -> fields (synonyms in assets/columns.toml)
    values    cells -> country codes, roles, status, name parts, name order, days
    importer  rows -> attendees, applied as a sync with events in one transaction
"""

from checkin.importing.importer import ImportSummary, generated_id, import_file, parse_file

__all__ = ["ImportSummary", "generated_id", "import_file", "parse_file"]
