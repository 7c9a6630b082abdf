"""A US-layout scanner typing into German and French machines still gets the right verdict.

The keyboards are simulated here key by key, independently of assets/keyboard_layouts.toml
(which holds the inverse tables the engine uses), so the test checks the data too.
"""

import pytest

from checkin import keyboard
from checkin.admission import INVALID_SIGNATURE, OK
from checkin.models import Attendee
from tests.test_admission_support import DAY1, DAY2, PEOPLE, make_event

US = [("`1234567890-=", "~!@#$%^&*()_+"), ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
      ("asdfghjkl;'", 'ASDFGHJKL:"'), ("zxcvbnm,./", "ZXCVBNM<>?")]
DE = [("^1234567890ß´", "°!\"§$%&/()=?`"), ("qwertzuiopü+#", "QWERTZUIOPÜ*'"),
      ("asdfghjklöä", "ASDFGHJKLÖÄ"), ("yxcvbnm,.-", "YXCVBNM;:_")]
FR = [("²&é\"'(-è_çà)=", "³1234567890°+"), ("azertyuiop^$*", "AZERTYUIOP¨£µ"),
      ("qsdfghjklmù", "QSDFGHJKLM%"), ("wxcvbn,;:!", "WXCVBN?./§")]
FR_LINUX_CAPS = {"é": "É", "è": "È", "ç": "Ç", "à": "À"}
# Belgian AZERTY (Brussels): the French letters, other digit and symbol keys.
BE = [("²&é\"'(§è!çà)-", "³1234567890°_"), ("azertyuiop^$µ", "AZERTYUIOP¨*£"),
      ("qsdfghjklmù", "QSDFGHJKLM%"), ("wxcvbn,;:=", "WXCVBN?./+")]


def keyboard_type(text: str, layout: list[tuple[str, str]], caps: str = "") -> str:
    """What a machine with layout receives when a US scanner types text (caps: Caps Lock on,
    "linux" or "windows" for AZERTY's digit row)."""
    keys = {}
    for (us_plain, us_shift), (lo_plain, lo_shift) in zip(US, layout, strict=True):
        for i, ch in enumerate(us_plain):
            if i < len(lo_plain):
                keys[ch] = (lo_plain[i], lo_shift[i], False)
        for i, ch in enumerate(us_shift):
            if i < len(lo_shift):
                keys[ch] = (lo_plain[i], lo_shift[i], True)
    out = []
    for ch in text:
        if ch == " ":
            out.append(ch)
            continue
        plain, shifted, shift = keys[ch]
        typed = shifted if shift else plain
        if caps and plain.isalpha() and plain.lower() != plain.upper() and len(plain) == 1 \
                and plain.isascii():
            typed = typed.swapcase()  # Caps Lock inverts letters (Shift then gives lowercase)
        elif caps == "linux" and not shift and plain in FR_LINUX_CAPS:
            typed = FR_LINUX_CAPS[plain]
        elif caps == "windows" and layout is FR and not shift and plain in FR[0][0]:
            typed = shifted  # Windows AZERTY: Caps Lock gives the digits
        out.append(typed)
    return "".join(out)


def test_simulation_sanity():
    assert keyboard_type("ZY-:", DE) == "YZßÖ"
    assert keyboard_type("AQZWM1234567890", FR) == "QAWZ?&é\"'(-è_çà"
    assert keyboard_type("A1", FR, caps="linux") == "q&"
    assert keyboard_type("A2", FR, caps="linux") == "qÉ"
    assert keyboard_type("A2", FR, caps="windows") == "q2"


@pytest.fixture
def ev(tmp_path):
    people = [*PEOPLE, Attendee(id="x1", code="AB12Y"), Attendee(id="x2", code="AB12Z"),
              Attendee(id="y1", code="ZZ34Y"), Attendee(id="y2", code="ZZ34Y")]
    return make_event(tmp_path / "event.sqlite", people)


CASES = [
    ("de", DE, "", "de"),
    ("fr", FR, "", "fr"),
    ("de-caps", DE, "linux", "caps"),  # no Y/Z in a token: Caps Lock alone
    ("fr-caps-linux", FR, "linux", "fr+caps"),
    ("fr-caps-windows", FR, "windows", "fr_capslock+caps"),
    ("be", BE, "", "be"),
]


@pytest.mark.parametrize(("name", "layout", "caps", "repair"), CASES, ids=[c[0] for c in CASES])
def test_token_through_a_foreign_layout(ev, name, layout, caps, repair):
    # Tokens hold no Y/Z, so a German machine reads them unchanged (URLs and codes
    # through German layouts are tested below); every other case changes the token.
    token = ev.token("a1")
    typed = keyboard_type(token, layout, caps)
    assert typed != token or layout is DE
    verdict = ev.engine().scan(typed + "\r\n", day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"
    if layout is BE and not {"6", "8"} & set(token):
        repair = "fr"  # Belgian and French type every other token character alike
    assert verdict.repaired == (repair if typed != token else None)


def test_lowercase_token_is_caps_lock(ev):
    verdict = ev.engine().scan(ev.token("a1").lower(), day=DAY1)
    assert verdict.verdict == OK and verdict.repaired == "caps"


@pytest.mark.parametrize(("layout", "caps"), [(DE, ""), (FR, ""), (FR, "linux"), (DE, "linux"),
                                             (BE, "")])
def test_url_through_a_foreign_layout(ev, layout, caps):
    url = "https://congress.example/checkin?lang=en&code=" + ev.token("a1")
    typed = keyboard_type(url, layout, caps)
    assert typed != url
    verdict = ev.engine().scan(typed, day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"


@pytest.mark.parametrize(("code", "layout", "attendee_id"), [
    ("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", DE, "a1"),  # pretix secret with a y
    ("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", FR, "a1"),
    ("QAZW-9817", FR, "a7"),
    ("QAZW-9817", DE, "a7"),
    ("1234567890123456789", FR, "a4"),  # Eventbrite barcode: all digits
    ("1234567890123456789", BE, "a4"),
    ("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4", BE, "a1"),
])
def test_upstream_code_through_a_foreign_layout(ev, code, layout, attendee_id):
    typed = keyboard_type(code, layout)
    verdict = ev.engine().scan(typed, day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == attendee_id
    assert (verdict.repaired is None) == (typed == code)


def test_code_as_read_wins_over_a_repair(ev):
    """AB12Y is x1's code; its German reading AB12Z is x2's: the text as read decides."""
    verdict = ev.engine().scan("AB12Y", day=DAY1)
    assert verdict.attendee.id == "x1" and verdict.repaired is None


def test_repair_that_matches_several_attendees_is_not_accepted(ev):
    verdict = ev.engine().scan("YY34Z", day=DAY1)  # German reading of ZZ34Y: two attendees
    assert verdict.verdict != OK and verdict.attendee is None


def test_forged_token_through_a_layout_is_still_rejected(ev):
    token = ev.token("a1")
    forged = token[:50] + ("B" if token[50] != "B" else "C") + token[51:]
    for layout in (DE, FR, BE):
        verdict = ev.engine().scan(keyboard_type(forged, layout), day=DAY1)
        assert verdict.verdict == INVALID_SIGNATURE


def test_layout_data_file_loads_and_inverts_the_simulation():
    layouts = {layout.name: layout for layout in keyboard.load_layouts()}
    assert {"de", "fr", "fr_capslock"} <= set(layouts)
    sample = "HTTPS://X.ORG/A?B=C&D=E_F-G:H;1234567890 qazwsxyz"
    assert layouts["de"].repair(keyboard_type(sample, DE)) == sample
    assert layouts["fr"].repair(keyboard_type(sample, FR)) == sample
    assert layouts["be"].repair(keyboard_type(sample, BE)) == sample


def test_bad_layout_file_is_refused(tmp_path):
    path = tmp_path / "layouts.toml"
    path.write_text('[layouts.x]\nbase = "nope"\n', encoding="utf-8")
    with pytest.raises(ValueError):
        keyboard.load_layouts(path)
    path.write_text('[layouts.x.map]\n"ab" = "c"\n', encoding="utf-8")
    with pytest.raises(ValueError):
        keyboard.load_layouts(path)


def fullwidth(text: str) -> str:
    """What an East Asian input method in fullwidth mode makes of ASCII text."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_fullwidth_input_method(ev):
    token = ev.token("a1")
    verdict = ev.engine().scan(fullwidth(token) + "\r\n", day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"
    assert verdict.repaired == "fullwidth"
    url = fullwidth("https://congress.example/c?code=" + token)
    assert ev.engine().scan(url, day=DAY2).verdict == OK
    code = ev.engine().scan(fullwidth("k3j9x2m8q7w4e5r6t1y0u9i8o7p6a5s4"), day=DAY2)
    assert code.verdict == OK and code.attendee.id == "a1"  # same desk, same moment: one read


def test_one_fullwidth_character_in_a_token_is_rejected(ev):
    """A single fullwidth character is an alteration, not what an input method does."""
    engine = ev.engine()
    token = ev.token("a1")
    for position in range(len(token)):
        forged = token[:position] + fullwidth(token[position]) + token[position + 1:]
        verdict = engine.scan(forged, day=DAY1)
        assert verdict.verdict != OK and verdict.attendee is None, position
    assert ev.store.admission("a1", DAY1) is None


@pytest.mark.parametrize("mark", ["\ufeff", "\u200b", "\u2060", "\u200e", "\u200f"])
def test_invisible_marks_around_a_code_are_dropped(ev, mark):
    # Copy and paste, mail programs and some scanner apps add these around a code.
    verdict = ev.engine().scan(mark + ev.token("a1") + mark + "\n", day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"


@pytest.mark.parametrize("mark", ["\u202e", "\u202d", "\u2067"])
def test_bidi_override_around_a_code_is_not_admitted(ev, mark):
    verdict = ev.engine().scan(mark + ev.token("a1"), day=DAY1)
    assert verdict.verdict != OK and verdict.attendee is None
    assert mark not in verdict.input  # the echo shown on screen cannot be reordered


@pytest.mark.parametrize("layout", [DE, FR, BE])
def test_symbology_prefix_through_a_foreign_layout(ev, layout):
    """A scanner sending the AIM id ("]Q1" for QR) types it through the layout too."""
    typed = keyboard_type("]Q1" + ev.token("a1"), layout)
    assert not typed.startswith("]")
    verdict = ev.engine().scan(typed, day=DAY1)
    assert verdict.verdict == OK and verdict.attendee.id == "a1"
    assert verdict.repaired is not None and verdict.repaired.endswith("+aim")
