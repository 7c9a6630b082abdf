"""The live view's words in English and German (assets/live/strings.toml), the page's
language, and how numbers, times and countries are written in it.

Contract:

- ``LANGUAGES``: the languages the file has, English first (the fallback).
- ``texts(lang) -> Texts``: ``t[key]`` the text, ``t.fmt(key, **values)`` with {names}
  filled in, ``t.around(key, name)`` the text before and after {name}; a key missing in
  a language falls back to English (a test keeps both whole).
- ``choose(asked, remembered, accept_language) -> str``: ?lang= if it is one of ours, else
  the language chosen before (a cookie), else the best of Accept-Language (RFC 9110
  q-values; "de-AT" is German), else English.
- ``country_name(code, lang)``: pycountry's name, in German from pycountry's own
  translations; the code itself for a code pycountry does not know.
"""

import gettext
import tomllib
from functools import cache
from typing import Any

from checkin import resources

DEFAULT = "en"


@cache
def _table() -> dict[str, dict[str, str]]:
    with open(resources.assets() / "live" / "strings.toml", "rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    return {lang: {str(k): str(v) for k, v in words.items()} for lang, words in data.items()}


def languages() -> list[str]:
    found = list(_table())
    return sorted(found, key=lambda lang: (lang != DEFAULT, lang))


class Texts:
    def __init__(self, lang: str) -> None:
        table = _table()
        self.lang = lang if lang in table else DEFAULT
        self.words = {**table[DEFAULT], **table[self.lang]}

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def fmt(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def around(self, key: str, name: str) -> tuple[str, str]:
        """The text before and after {name}: the page puts a marked-up value there."""
        before, _, after = self.words[key].partition("{" + name + "}")
        return before, after

    def get(self, key: str, default: str) -> str:
        return self.words.get(key, default)


@cache
def texts(lang: str) -> Texts:
    return Texts(lang)


def _accepted(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, *params = item.strip().split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary and quality > 0:
            ranked.append((-quality, position, primary))
    return [lang for _, _, lang in sorted(ranked)]


def choose(asked: str | None, remembered: str | None, accept_language: str) -> str:
    ours = languages()
    for candidate in (asked, remembered):
        if candidate and candidate.lower() in ours:
            return candidate.lower()
    for lang in _accepted(accept_language):
        if lang in ours:
            return lang
    return DEFAULT


@cache
def _german() -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    except OSError:  # a pycountry without its translations: English names then
        return gettext.NullTranslations()


@cache
def country_name(code: str, lang: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if found is None:
        return code
    name = str(found.name)
    if lang == "de":
        return _german().gettext(name)
    return str(getattr(found, "common_name", None) or name)
