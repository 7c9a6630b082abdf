"""Small display helpers shared by the station's widgets."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QLocale


def country_name(code: str) -> str:
    """ISO alpha-2 to the country's English name via Qt's own tables (no extra import)."""
    if not code:
        return ""
    territory = QLocale.codeToTerritory(code.upper())
    if territory == QLocale.Country.AnyCountry:
        return code.upper()
    return QLocale.territoryToString(territory)


def format_time(iso: str) -> str:
    """'2026-05-04T09:12:33.120+02:00' -> '09:12' today, else '04.05. 09:12' (local time)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    if moment.date() == date.today():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")
