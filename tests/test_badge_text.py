"""Badge and confirmation PDFs hold every name as text, in logical order, in every script:
the glyph outlines stay (shaping), an invisible text layer (render mode 3) carries the
characters. Read back with pypdfium2 and with poppler's pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest

from checkin.badges import render_confirmation
from checkin.badges.render import name_lines, render_pdf
from checkin.badges.samples import SAMPLES
from checkin.models import Attendee, EventInfo

PEOPLE = [Attendee(id=f"S{i}", title=title, given_name=given, family_name=family,
                   name_order=order, organisation=organisation, country=country, role=role)
          for i, (_script, title, given, family, order, organisation, country, role)
          in enumerate(SAMPLES)]
# bidi marks pdftotext puts around right-to-left and left-to-right runs
MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))


def flat(text: str) -> str:
    """Whitespace (line breaks of a wrapped name too) as single spaces, bidi marks gone."""
    return " ".join(text.translate(MARKS).split())


def pdfium_pages(path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(path)
    try:
        return [flat(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def expected(person: Attendee) -> list[str]:
    primary, secondary = name_lines(person)
    return [flat(t) for t in (primary, secondary, person.organisation) if t]


def test_every_script_is_text_on_the_badge(tmp_path):
    path = tmp_path / "badges.pdf"
    render_pdf(PEOPLE, "a6", path, qr_text=lambda _a: "X", event_name="Congress")
    pages = pdfium_pages(path)
    assert len(pages) == len(PEOPLE)
    for person, text, sample in zip(PEOPLE, pages, SAMPLES, strict=True):
        for line in expected(person):
            assert line in text, (sample[0], line, text)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_pdftotext_reads_the_names_in_logical_order(tmp_path):
    path = tmp_path / "badges.pdf"
    render_pdf(PEOPLE, "4x3in", path, qr_text=lambda _a: "X", event_name="Congress")
    for number, person in enumerate(PEOPLE, start=1):
        out = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path),
                              "-"], capture_output=True, text=True, check=True).stdout
        for line in expected(person):
            assert line in flat(out), (SAMPLES[number - 1][0], line, out)


def test_every_script_is_text_on_the_confirmation(tmp_path):
    event = EventInfo("Personalised Medicine Congress", ["2026-12-01"])
    for person in PEOPLE[:: 3] + [p for p in PEOPLE if p.country in ("LB", "IL", "IR")]:
        path = tmp_path / f"{person.id}.pdf"
        render_confirmation(event, person, "CK1TEST", path)
        text = pdfium_pages(path)[0]
        for line in expected(person)[:2]:
            assert line in text, (person.id, line, text)


def test_the_text_layer_is_invisible(tmp_path):
    """Render mode 3: the page looks the same with or without the text layer."""
    from checkin.badges import render as module

    person = [p for p in PEOPLE if p.country == "GR"]
    with_layer = tmp_path / "with.pdf"
    render_pdf(person, "a6", with_layer, qr_text=lambda _a: "X")
    original = module._Painter._hidden_text
    module._Painter._hidden_text = lambda self, *args: ""  # type: ignore[method-assign]
    try:
        without = tmp_path / "without.pdf"
        render_pdf(person, "a6", without, qr_text=lambda _a: "X")
    finally:
        module._Painter._hidden_text = original  # type: ignore[method-assign]

    def pixels(path: Path) -> bytes:
        document = pypdfium2.PdfDocument(path)
        try:
            return bytes(document[0].render(scale=1).to_pil().tobytes())
        finally:
            document.close()

    assert pixels(with_layer) == pixels(without)
    assert "Δήμητρα" in pdfium_pages(with_layer)[0]
    assert "Δήμητρα" not in pdfium_pages(without)[0]


def test_the_glyphless_font_file_is_what_the_builder_makes():
    """assets/pdf/glyphless.ttf: one empty glyph, HIDDEN_ADVANCE wide (fontTools reads it)."""
    import io

    from fontTools.ttLib import TTFont

    from checkin.badges.render import HIDDEN_ADVANCE, _glyphless_font, build_glyphless_font

    font = TTFont(io.BytesIO(_glyphless_font()))
    assert font.getGlyphOrder() == [".notdef"]
    assert font["hmtx"][".notdef"] == (HIDDEN_ADVANCE, 0)
    rebuilt = TTFont(io.BytesIO(build_glyphless_font()))
    assert rebuilt.getGlyphOrder() == font.getGlyphOrder()
    assert rebuilt["hmtx"].metrics == font["hmtx"].metrics
