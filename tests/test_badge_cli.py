"""`checkin layouts`, `checkin badges` and layout files (shipped, user, broken)."""

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from checkin import paths
from checkin.badges.layout import list_layouts, load_layout
from checkin.badges.samples import sample_attendees
from checkin.db import open_db
from checkin.errors import CheckinError
from checkin.models import Attendee
from checkin.store import BADGE_PRINTED, Store


def _user_layout(name: str, text: str) -> Path:
    folder = paths.config_dir() / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
description = "{description}"
[page]
width = "60mm"
height = "40mm"
[[region]]
field = "primary_name"
box = ["2mm", "2mm", "56mm", "20mm"]
max_size = 30
min_size = 10
"""


@pytest.fixture
def people_db(event_db: Path) -> Path:
    store = Store(open_db(event_db))
    with store.transaction():
        for attendee in sample_attendees()[:5]:
            store.add_attendee(attendee)
    return event_db


def _page_count(path: Path) -> int:
    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def test_layouts_command_lists_names_sizes_descriptions(run_cli) -> None:
    result = run_cli("layouts")
    assert result.exit_code == 0
    assert "a6" in result.output and "105 x 148 mm" in result.output
    assert "a4-8-a7" in result.output and "cut marks" in result.output


def test_user_layout_is_listed_and_overrides_a_shipped_one(run_cli) -> None:
    _user_layout("a6", MINIMAL.format(description="My own A6"))
    _user_layout("tiny", MINIMAL.format(description="Tiny label"))
    assert load_layout("a6").description == "My own A6"
    names = [layout.name for layout in list_layouts()]
    assert "tiny" in names and names.count("a6") == 1
    result = run_cli("layouts")
    assert "Tiny label (yours)" in result.output


@pytest.mark.parametrize("text, message", [
    ("description = 'x'\n[page\n", "not valid TOML"),
    ("[page]\nwidth = '1cm'\nheight = '1cm'\n", "no [[region]]"),
    (MINIMAL.format(description="x").replace('"primary_name"', '"shoe_size"'), "field must be"),
    # contact data has its own line (docs/privacy.md)
    (MINIMAL.format(description="x").replace('"primary_name"', '"email"'), "is contact data"),
    (MINIMAL.format(description="x").replace('"56mm"', '"96mm"'), "outside the badge"),
    (MINIMAL.format(description="x").replace('"60mm"', '"sixty"'), "not a length"),
    (MINIMAL.format(description="x").replace("min_size = 10", "min_size = 50"), "min_size"),
    ("badge = 'broken'\n[page]\nwidth = 10\nheight = 10\n", "refers back to itself"),
])
def test_broken_layout_file_is_a_one_line_error_naming_the_file(
        run_cli, db_path: Path, text: str, message: str) -> None:
    path = _user_layout("broken", text)
    with pytest.raises(CheckinError) as caught:
        load_layout("broken")
    assert str(path) in str(caught.value) and message in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(CheckinError, match=r"broken\.toml"):
        run_cli("layouts")  # the good layouts are listed, the broken file reported


def test_unknown_layout_name(people_db: Path, run_checkin_db) -> None:
    result = run_checkin_db("badges", "--out", "x.pdf", "--layout", "nope")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no badge layout named 'nope'")


@pytest.fixture
def run_checkin_db(people_db: Path, tmp_path: Path):
    from tests.conftest import run_checkin

    def run(*args: str):
        env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "d")}
        return run_checkin("--db", str(people_db), *args, env=env)

    return run


def test_badges_pdf_png_ids_and_only_unprinted(run_cli, people_db: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "badges.pdf"
    result = run_cli("badges", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert _page_count(out) == 5
    sheet = tmp_path / "sheet.pdf"
    assert run_cli("badges", "--out", str(sheet), "--layout", "a4-8-a7").exit_code == 0
    assert _page_count(sheet) == 1

    store = Store(open_db(people_db))
    ids = [a.id for a in store.all_attendees()]
    with store.transaction():
        store.append(BADGE_PRINTED, ids[0], payload={})
    pngs = tmp_path / "png"
    result = run_cli("badges", "--png", str(pngs), "--only-unprinted", "--dpi", "50")
    assert result.exit_code == 0, result.output
    assert sorted(p.stem for p in pngs.glob("*.png")) == sorted(ids[1:])

    one = tmp_path / "one.pdf"
    assert run_cli("badges", "--out", str(one), "--ids", ids[2]).exit_code == 0
    assert _page_count(one) == 1


def test_badges_usage_errors(run_checkin_db) -> None:
    result = run_checkin_db("badges")
    assert result.returncode != 0 and "--out" in result.stderr
    result = run_checkin_db("badges", "--out", "x.pdf", "--ids", "NOPE")
    assert result.returncode == 1 and "no attendee with id NOPE" in result.stderr
    assert "Traceback" not in result.stderr


def test_station_layout_is_the_default(run_cli, people_db: Path, tmp_path: Path) -> None:
    from checkin.config import StationConfig

    StationConfig(layout="cr80").save()
    out = tmp_path / "cards.pdf"
    result = run_cli("badges", "--out", str(out))
    assert result.exit_code == 0 and "(cr80)" in result.output


def test_unwritable_output_is_a_one_line_error(run_checkin_db, tmp_path: Path) -> None:
    result = run_checkin_db("badges", "--out", str(tmp_path / "missing" / "x.pdf"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot write") and "Traceback" not in result.stderr


def test_package_exports_are_lazy() -> None:
    import checkin.badges as badges

    assert callable(badges.render_pdf) and callable(badges.load_layout)
    with pytest.raises(AttributeError):
        badges.nothing_here  # noqa: B018


def test_layout_can_relabel_and_recolour_roles() -> None:
    from checkin.badges.render import TextItem, compose

    _user_layout("de-a6", 'badge = "a6"\n[page]\nwidth = "105mm"\nheight = "148mm"\n'
                          '[roles.speaker]\nlabel = "REFERENT"\ncolour = "#000000"\n')
    layout = load_layout("de-a6")
    speaker = sample_attendees()[0]
    assert speaker.role == "speaker"
    items = compose(speaker, layout, qr_text=lambda a: "x")
    labels = {line.text for i in items if isinstance(i, TextItem)
              and i.region.field == "role_band" for line in i.fitted.lines}
    assert labels == {"REFERENT"}
    _user_layout("bad-roles", 'badge = "a6"\n[page]\nwidth = "105mm"\nheight = "148mm"\n'
                              '[roles.speaker]\ncolour = "red"\n')
    with pytest.raises(CheckinError, match="colour must look like"):
        load_layout("bad-roles")


def test_png_previews_of_ids_that_differ_only_in_unsafe_characters(
        run_cli, event_db: Path, tmp_path: Path) -> None:
    store = Store(open_db(event_db))
    with store.transaction():
        for attendee_id in ("a/b", "a_b", "a:b"):
            store.add_attendee(Attendee(id=attendee_id, given_name="Ana", family_name="Lima"))
    pngs = tmp_path / "png"
    result = run_cli("badges", "--png", str(pngs), "--dpi", "40")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in pngs.iterdir())
    assert len(names) == 3 and "a_b.png" in names  # a safe id keeps its plain name
    assert all("/" not in n and ":" not in n for n in names)
