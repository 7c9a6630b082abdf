"""checkin.text: the CJK test and the four folds (clean_text has its own tests with the store
and import tests)."""

import pytest

from checkin.models import Attendee
from checkin.text import (
    cjk_script,
    fold_compact,
    fold_plain,
    fold_search,
    fold_words,
    has_cjk,
    is_cjk,
)

# -- CJK ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ch", "script"), [
    ("王", "han"), ("㐀", "han"), ("䶮", "han"),  # Unified, Extension A
    ("𠮷", "han"), ("𪚲", "han"), ("𫝀", "han"), ("𬺰", "han"),  # Extensions B, C, D, E/F
    ("\U0002EBF0", "han"), ("\U00030000", "han"), ("\U00031350", "han"),  # I, G, H
    ("\U000323AF", "han"),  # the last Extension H ideograph
    ("丽", "han"), ("\U0002F800", "han"),  # compatibility ideographs, and their supplement
    ("々", "han"), ("〆", "han"), ("〇", "han"), ("〻", "han"), ("⼈", "han"),  # Kangxi radical
    ("あ", "kana"), ("ガ", "kana"), ("ー", "kana"), ("ㇷ", "kana"), ("ｶ", "kana"),
    ("\U0001B000", "kana"), ("\U0001B155", "kana"),
    ("가", "hangul"), ("ᄀ", "hangul"), ("ㄱ", "hangul"), ("ﾡ", "hangul"), ("ힰ", "hangul"),
    ("ㄅ", "bopomofo"), ("ㆠ", "bopomofo"),
])
def test_cjk_scripts(ch: str, script: str) -> None:
    assert cjk_script(ch) == script
    assert is_cjk(ch)
    assert has_cjk(f"Anna {ch}")


@pytest.mark.parametrize("ch", [
    "a", "Ä", "ß", "ı", "Ω", "Я", "ש", "م", "क", "ก", "Ａ", "１",  # other scripts, fullwidth
    "、", "。", "「", "〜", "\u3000", "￥",  # CJK punctuation and spaces: not name letters
    "䷀", "\U0001F600", "\U00010000",  # Yijing hexagrams (between Ext A and Unified), emoji
])
def test_not_cjk(ch: str) -> None:
    assert cjk_script(ch) is None
    assert not is_cjk(ch)
    assert not has_cjk(ch)


def test_is_cjk_and_cjk_script_agree_on_every_code_point() -> None:
    for code in range(0x40000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        assert is_cjk(ch) == (cjk_script(ch) is not None), hex(code)
        assert has_cjk(ch) == is_cjk(ch), hex(code)


def test_has_cjk() -> None:
    assert not has_cjk("")
    assert not has_cjk("Müller-Lüdenscheidt")
    assert has_cjk("Sato 佐藤")
    assert has_cjk("\U00020BB7")  # above U+20000: a surrogate pair where text is UTF-16


def test_family_first_name_in_extension_b_is_written_without_a_space() -> None:
    # A name whose family name is only Extension B ideographs was shown "𠮷 𠀋".
    person = Attendee("x", given_name="𠀋", family_name="𠮷", name_order="family_first")
    assert person.display_name == "𠮷𠀋"
    korean = Attendee("k", given_name="민준", family_name="김", name_order="family_first")
    assert korean.display_name == "김민준"
    hungarian = Attendee("h", given_name="Zsófia", family_name="Nagy", name_order="family_first")
    assert hungarian.display_name == "Nagy Zsófia"


# -- folds ----------------------------------------------------------------------------------

ALL_FOLDS = [fold_search, fold_plain, fold_words, fold_compact]


@pytest.mark.parametrize("fold", ALL_FOLDS)
def test_every_fold_is_case_and_accent_insensitive(fold) -> None:
    assert fold("") == ""
    assert fold("Müller") == fold("MÜLLER") == fold("muller") == "muller"
    assert fold("Mu\u0308ller") == "muller"  # decomposed: a combining diaeresis
    assert fold("Straße") == fold("STRASSE") == fold("strasse") == "strasse"
    assert fold("ẞ") == "ss"  # capital sharp s
    assert fold("İstanbul") == "istanbul"  # Turkish dotted capital I: i + a dot, dropped
    assert fold("Ｍüｌｌｅｒ") == "muller"  # fullwidth letters
    assert fold("Dvořák") == "dvorak"
    assert fold("Renée") == "renee"
    assert fold("𠮷田") == "𠮷田"  # ideographs above U+20000 stay as they are
    assert fold("ΣΟΦΊΑ") == fold("σοφία")  # final sigma and tonos


def test_fold_search_keeps_letters_of_other_scripts_and_punctuation() -> None:
    assert fold_search("Παπαδόπουλος") == "παπαδοπουλοσ"
    assert fold_search("ø ł đ æ") == "o l d ae"  # no decomposition: assets table
    assert fold_search("ı") == "i"  # Turkish dotless i, from the same table
    assert fold_search("がく") == "がく"  # kana voicing is a letter, not an accent
    assert fold_search("か\u3099") == "が"  # and composes again (NFC)
    assert fold_search("शर्मा") == "शर्मा"  # Indic vowel signs and virama stay
    assert fold_search("כֹּהֵן") == "כהן"  # Hebrew points go
    assert fold_search("O'Brien-Smith, Anna") == "o'brien-smith, anna"
    assert fold_search("ＡＢＣ１２３") == "abc123"
    assert fold_search("ﬁnn") == "finn"
    assert fold_search("지훈") == "지훈"  # Hangul stays composed


def test_fold_plain_drops_every_mark_and_stays_decomposed() -> None:
    assert fold_plain("がく") == "かく"  # unlike fold_search
    assert fold_plain("शर्मा") == "शरमा"  # virama is a combining mark; vowel signs are not
    assert fold_plain("ø") == "ø"  # no table: only decomposition
    assert fold_plain("ı") == "ı"
    assert fold_plain("지") == "\u110c\u1175"  # Hangul as jamo (NFKD)
    assert fold_plain("Summe: 12,50 €") == "summe: 12,50 €"  # punctuation and spaces kept
    assert fold_plain("  Gesamt  ") == "  gesamt  "


def test_fold_words_turns_punctuation_into_single_spaces() -> None:
    assert fold_words("Dr.-Ing. Ärzte_Tag") == "dr ing arzte tag"
    assert fold_words("  VIP / Ministry   delegation ") == "vip ministry delegation"
    assert fold_words("Anna.Mueller@Example.org") == "anna mueller example org"
    assert fold_words("---") == ""
    assert fold_words("ｊ.ｓｍｉｔｈ＠ｅｘａｍｐｌｅ．ｏｒｇ") == "j smith example org"
    assert fold_words("ガク") == "カク"


def test_fold_compact_keeps_letters_and_digits_only() -> None:
    assert fold_compact("E-Mail") == fold_compact("e_mail") == fold_compact("EMAIL") == "email"
    assert fold_compact("Attendee name: Given name") == "attendeenamegivenname"
    assert fold_compact("Côte d’Ivoire") == "cotedivoire"
    assert fold_compact("#") == ""  # headers read '#' as 'nr' themselves
    assert fold_compact("  ") == ""
    assert fold_compact("Ｎｒ．") == "nr"


@pytest.mark.parametrize(("email", "given", "family", "expected"), [
    ("Anna.Mueller@Example.org", "Anna", "Müller", "auto-fccbf281dc12"),
    ("", "秀英", "王", "auto-29fdc2d999fd"),
    ("", "지훈", "김", "auto-769bb5b99643"),
    ("", "ガク", "山田", "auto-d76551ecda13"),
    ("ｊ.ｓｍｉｔｈ＠ｅｘａｍｐｌｅ．ｏｒｇ", "İsmail", "Öztürk-Şahin", "auto-4f55907aee9d"),
    ("", "Straße", "Ørsted", "auto-9d57432470dc"),
])
def test_generated_ids_never_change(email: str, given: str, family: str,
                                    expected: str) -> None:
    # Ids of rows without one are hashed over fold_words(): an event imported with an
    # earlier version must find the same people again.
    from checkin.importing.importer import generated_id

    assert generated_id(email, given, family) == expected


def test_name_case_writes_typed_names_as_names():
    from checkin.text import name_case

    assert name_case("sofia rinaldi") == "Sofia Rinaldi"
    assert name_case("ANNE-MARIE O'NEILL") == "Anne-Marie O'Neill"
    assert name_case("ludwig van beethoven") == "Ludwig van Beethoven"
    assert name_case("maria da silva") == "Maria da Silva"
    assert name_case("van der berg") == "Van der Berg"  # first, a particle is a name
    assert name_case("McDonald") == "McDonald"  # capitals inside: as typed
    assert name_case("жанна петрова") == "Жанна Петрова"
    assert name_case("王伟") == "王伟"
