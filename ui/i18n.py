"""Interface language: English (the source texts) and German, switchable at run time.

install_translator() removes the translators it installed before and installs the new
ones; Qt then sends QEvent.LanguageChange to every widget, whose retranslateUi() sets
its texts again. Qt's own strings (dialog buttons, context menus) come from the
qtbase_*.qm files that ship with PySide6.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

SYSTEM = ""
LANGUAGES = ("en", "de")  # codes a StationConfig.language may hold besides SYSTEM
SOURCE_LANGUAGE = "en"
_OBJECT_NAME = "checkin-translator"


def translations_dir() -> Path:
    """ui/translations beside this module (also inside a PyInstaller bundle)."""
    return Path(__file__).resolve().parent / "translations"


def system_language(locale: QLocale | None = None) -> str:
    locale = locale or QLocale.system()
    for language in locale.uiLanguages():
        code = language.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def resolve_language(language: str, locale: QLocale | None = None) -> str:
    """"" follows the system (German if the system prefers it, else English)."""
    code = (language or "").strip().lower()
    if code in LANGUAGES:
        return code
    return system_language(locale)


def current_language(app: QCoreApplication | None = None) -> str:
    app = app or QCoreApplication.instance()
    value = app.property("checkin_language") if app is not None else None
    return str(value) if value else SOURCE_LANGUAGE


class _AppTranslator(QTranslator):
    """Our .qm, with a fallback to texts filed under no context.

    lupdate files a text under no context when the code calls tr through an alias
    (`tr = parent.tr`), while at run time the call carries the class name: without the
    fallback such texts would stay English.
    """

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        text = super().translate(context, source, disambiguation, n)
        if not text and context:
            text = super().translate("", source, disambiguation, n)
        return text or None  # None (a null string) lets Qt fall back to the source text


def _load(translator: QTranslator, name: str, folder: Path | str) -> bool:
    return translator.load(name, str(folder))


def install_translator(app: QCoreApplication, language: str) -> str:
    """Switch the whole interface to language ("" = system); returns the code in force."""
    code = resolve_language(language)
    for old in app.findChildren(QTranslator, _OBJECT_NAME):
        QCoreApplication.removeTranslator(old)
        old.setParent(None)
        old.deleteLater()
    locale = _locale_for(code)
    QLocale.setDefault(locale)
    if code != SOURCE_LANGUAGE:
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        for name, folder in ((f"qtbase_{code}", qt_dir),
                             (f"checkin_{code}", translations_dir())):
            translator = (_AppTranslator(app) if name.startswith("checkin_")
                          else QTranslator(app))
            translator.setObjectName(_OBJECT_NAME)
            if _load(translator, name, folder):
                QCoreApplication.installTranslator(translator)
            else:
                translator.setParent(None)
    app.setProperty("checkin_language", code)
    return code


def _locale_for(code: str) -> QLocale:
    system = QLocale.system()
    if system_language(system) == code:
        return system  # keep the system's country conventions (dates, numbers)
    if code == "de":
        return QLocale(QLocale.Language.German, QLocale.Country.Germany)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def language_names() -> list[tuple[str, str]]:
    """(code, label) for a language chooser; the languages in their own names."""
    return [
        (SYSTEM, QCoreApplication.translate("Languages", "System language")),
        ("en", "English"),
        ("de", "Deutsch"),
    ]
