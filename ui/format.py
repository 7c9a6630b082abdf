"""Small display helpers shared by the station's widgets."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QLocale

_GERMAN_NAMES: dict[str, str] | None = None


def german_country_names() -> dict[str, str]:
    """Alpha-2 -> German name, from pycountry's own gettext catalogue (Qt names territories
    only in English). Built once; the db lane warms it up so the card never waits."""
    global _GERMAN_NAMES
    if _GERMAN_NAMES is None:
        try:
            import gettext

            import pycountry

            german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
            _GERMAN_NAMES = {
                c.alpha_2: german.gettext(getattr(c, "common_name", None) or c.name)
                for c in pycountry.countries}
        except (ImportError, OSError):  # no catalogue: Qt's English names
            _GERMAN_NAMES = {}
    return _GERMAN_NAMES


def country_name(code: str) -> str:
    """ISO alpha-2 to the country's name in the interface language."""
    if not code:
        return ""
    if QLocale().language() == QLocale.Language.German:
        name = german_country_names().get(code.upper())
        if name:
            return name
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


def format_day(iso: str) -> str:
    """'2026-05-04' -> 'Mon 04/05/2026' / 'Mo. 04.05.26' in the interface's locale."""
    day = QDate.fromString(iso, "yyyy-MM-dd")
    if not day.isValid():
        return iso
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return iso
    weekday = locale.dayName(day.dayOfWeek(), QLocale.FormatType.ShortFormat)
    return f"{weekday} {locale.toString(day, QLocale.FormatType.ShortFormat)}"


def printer_state_text(state: str) -> str:
    """A printer state word of checkin.printing.backend (ready, busy, offline, stopped,
    out_of_paper, unknown) in the interface language; another word as it is."""
    # QCoreApplication.translate spelled out each time: lupdate finds only that form
    words = {
        "ready": QCoreApplication.translate("PrinterState", "ready"),
        "busy": QCoreApplication.translate("PrinterState", "busy"),
        "offline": QCoreApplication.translate("PrinterState", "offline"),
        "stopped": QCoreApplication.translate("PrinterState", "stopped"),
        "out_of_paper": QCoreApplication.translate("PrinterState", "out of paper"),
        "unknown": QCoreApplication.translate("PrinterState", "unknown"),
    }
    return words.get(state, state.replace("_", " "))
