"""The attendee list over a 100,000-row event database: lazy rows, filters, sort, refresh."""

import itertools

import pytest
from PySide6.QtCore import QModelIndex, Qt

from checkin.db import open_db
from checkin.models import Attendee
from checkin.search import search_key
from checkin.store import CHECKIN, UNDO, Store
from ui.attendee_table import (
    ATTENDEE_ID_ROLE,
    NAME,
    STATUS,
    TIME,
    AttendeeTableModel,
    AttendeeTableWidget,
)

DAY = "2026-12-01"
DAY2 = "2026-12-02"
N = 100_000
COUNTRIES = ("DE", "FR", "JP", "US", "BR", "IN", "NG")
CHECKED_IN = [7, 123, 4567, 99_990]  # admitted on DAY


def person(i: int) -> Attendee:
    if i % 10_000 == 5000:  # family-first names in their own script
        return Attendee(id=f"A{i:06d}", given_name=f"伟{i:06d}", family_name="王",
                        name_order="family_first", country="CN", role="speaker")
    return Attendee(
        id=f"A{i:06d}", given_name=f"Given{i:06d}", family_name=f"Family{i:06d}",
        organisation=f"Org {i % 97}", country=COUNTRIES[i % len(COUNTRIES)],
        role="speaker" if i % 5 == 0 else "delegate",
        status="cancelled" if i % 1000 == 999 else "confirmed",
        days=[DAY2] if i % 1000 == 998 else [])


def build_db(path, n: int) -> Store:
    store = Store(open_db(path, create=True), station="desk-1")
    store.set_event("Big Congress", [DAY, DAY2])
    people = [person(i) for i in range(n)]
    with store.transaction():
        store.write_attendees([(a, search_key(a)) for a in people])
        for minute, i in enumerate(CHECKED_IN):
            store.append(CHECKIN, f"A{i:06d}", day=DAY,
                         time=f"{DAY}T09:{59 - minute:02d}:00.000+01:00")
    return store


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "event.sqlite"
    build_db(path, N).db.conn.close()
    return path


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "event.sqlite"
    return path, build_db(path, 60)


@pytest.fixture
def model(qtbot, big_db):
    m = AttendeeTableModel(big_db, DAY, autoload=False)
    yield m
    m.shutdown()


def load(qtbot, model, **filters):
    with qtbot.waitSignal(model.loaded, timeout=30_000) as blocker:
        if filters:
            model.set_filters(**filters)
        else:
            model.refresh()
    return blocker.args


def cell(qtbot, model, row, column=NAME):
    """The displayed value once the row's page has arrived from the read lane."""
    index = model.index(row, column)
    qtbot.waitUntil(lambda: model.data(index) is not None and model.row_loaded(row),
                    timeout=30_000)
    return model.data(index)


def test_100k_rows_arrive_in_chunks(qtbot, model):
    matching, total = load(qtbot, model)
    assert (matching, total) == (N, N)
    assert model.rowCount() == 1000
    assert model.columnCount() == 6
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2000
    # Name order: "Given000000 ..." first; rows beyond the first page load on demand.
    assert cell(qtbot, model, 0) == "Given000000 Family000000"
    assert cell(qtbot, model, 1500) == "Given001500 Family001500"
    assert model.data(model.index(1500, 0), ATTENDEE_ID_ROLE) == "A001500"
    assert cell(qtbot, model, 1500, 3) == "Speaker"
    assert cell(qtbot, model, 1501, 3) == "Delegate"
    assert model.attendee_id(1999) is not None
    assert model.attendee_id(2000) is None  # not fetched into view yet
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == N
    # The family-first CJK names sort after the Latin ones and show in their own order.
    assert cell(qtbot, model, N - 1) == "王伟095000 · Wang Wei095000"  # and its Latin spelling


def test_status_of_rows(qtbot, model):
    load(qtbot, model)
    assert cell(qtbot, model, 7, STATUS) == "Checked in"
    assert model.data(model.index(7, TIME)) == "09:59"
    assert model.data(model.index(7, STATUS), Qt.ItemDataRole.ForegroundRole) is not None
    assert cell(qtbot, model, 8, STATUS) == "Not yet"
    assert model.data(model.index(8, STATUS), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(8, TIME)) == ""
    assert cell(qtbot, model, 999, STATUS) == "Cancelled"
    assert cell(qtbot, model, 998, STATUS) == "Not today"


def test_filters(qtbot, model):
    assert load(qtbot, model, role="speaker")[0] == N // 5
    assert load(qtbot, model, role="speaker", country="CN")[0] == 10
    assert load(qtbot, model, role="", country="")[0] == N
    assert load(qtbot, model, status="checked_in")[0] == len(CHECKED_IN)
    ids = {model.attendee_id(r) for r in range(model.rowCount())}
    assert ids == {f"A{i:06d}" for i in CHECKED_IN}
    cancelled, day2_only = N // 1000, N // 1000
    assert load(qtbot, model, status="not_yet")[0] == (
        N - len(CHECKED_IN) - cancelled - day2_only)
    assert load(qtbot, model, status="all", text="given004567")[0] == 1
    assert model.attendee_id(0) == "A004567"
    assert load(qtbot, model, text="王")[0] == 10
    assert load(qtbot, model, text="org 5 family00")[0] > 0
    assert load(qtbot, model, text="nobody-by-this-name")[0] == 0
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())
    assert load(qtbot, model, text="100%_")[0] == 0  # LIKE wildcards are literal


def test_unknown_status_filter_is_refused(model):
    with pytest.raises(ValueError):
        model.set_filters(status="maybe")


def test_sorting(qtbot, model):
    with qtbot.waitSignal(model.loaded, timeout=30_000):
        model.sort(NAME, Qt.SortOrder.DescendingOrder)
    assert cell(qtbot, model, 0) == "王伟095000 · Wang Wei095000"
    assert model.attendee_id(10) == "A099999"
    with qtbot.waitSignal(model.loaded, timeout=30_000):
        model.sort(TIME, Qt.SortOrder.AscendingOrder)
    # Admitted first, earliest first: CHECKED_IN were admitted at 09:59, 09:58, ...
    assert [model.attendee_id(r) for r in range(4)] == [
        f"A{i:06d}" for i in reversed(CHECKED_IN)]
    assert cell(qtbot, model, 0, TIME) == "09:56"
    with qtbot.waitSignal(model.loaded, timeout=30_000):
        model.sort(STATUS, Qt.SortOrder.AscendingOrder)
    assert {model.attendee_id(r) for r in range(4)} == {f"A{i:06d}" for i in CHECKED_IN}


def test_refresh_after_check_in_and_undo(qtbot, small):
    path, store = small
    model = AttendeeTableModel(path, DAY, autoload=False)
    try:
        assert load(qtbot, model) == [60, 60]
        assert cell(qtbot, model, 12, STATUS) == "Not yet"
        with store.transaction():
            store.append(CHECKIN, "A000012", day=DAY, time=f"{DAY}T10:01:00.000+01:00")
        load(qtbot, model)
        qtbot.waitUntil(lambda: model.data(model.index(12, STATUS)) == "Checked in", timeout=30_000)
        assert model.data(model.index(12, TIME)) == "10:01"
        assert load(qtbot, model, status="checked_in")[0] == 2
        with store.transaction():
            store.append(UNDO, "A000012", day=DAY)
        assert load(qtbot, model)[0] == 1
        # A new attendee (walk-in) appears after refresh.
        with store.transaction():
            store.add_attendee(Attendee(id="W1", given_name="Walk", family_name="In"),
                               search_key="walk in")
            store.append(CHECKIN, "W1", day=DAY)
        assert load(qtbot, model) == [2, 61]
    finally:
        model.shutdown()


def test_missing_database_reports_an_error(qtbot, tmp_path):
    model = AttendeeTableModel(tmp_path / "missing.sqlite", DAY, autoload=False)
    try:
        with qtbot.waitSignal(model.error, timeout=30_000) as blocker:
            model.refresh()
        assert "no event database" in blocker.args[0]
        assert model.rowCount() == 0
        assert not model.is_loading()
    finally:
        model.shutdown()


# The offscreen platform says so whenever a top-level window is shown.
SHOWN = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@SHOWN
def test_widget_filters_and_activation(qtbot, small):
    path, _store = small
    widget = AttendeeTableWidget(path, DAY)
    qtbot.addWidget(widget)
    try:
        widget.show()
        qtbot.waitUntil(lambda: widget.model.matching_count() == 60, timeout=30_000)
        assert widget.count_label.text() == "60 of 60"
        assert widget.role_filter.findData("speaker") > 0
        assert widget.country_filter.itemText(widget.country_filter.findData("DE")).startswith(
            "DE — ")
        with qtbot.waitSignal(widget.model.loaded, timeout=30_000):
            qtbot.keyClicks(widget.search, "given00004")
        assert widget.model.matching_count() == 10
        with qtbot.waitSignal(widget.model.loaded, timeout=30_000):
            widget.status_filter.setCurrentIndex(widget.status_filter.findData("checked_in"))
            widget.status_filter.activated.emit(widget.status_filter.currentIndex())
        assert widget.model.matching_count() == 0
        with qtbot.waitSignal(widget.model.loaded, timeout=30_000):
            widget.status_filter.setCurrentIndex(0)
            widget.status_filter.activated.emit(0)
        assert cell(qtbot, widget.model, 0) == "Given000040 Family000040"
        # Enter in the search field moves to the first row; Enter there activates it.
        qtbot.keyClick(widget.search, Qt.Key.Key_Return)
        assert widget.view.currentIndex().row() == 0
        with qtbot.waitSignal(widget.attendee_activated, timeout=30_000) as blocker:
            qtbot.keyClick(widget.view, Qt.Key.Key_Return)
        assert blocker.args == ["A000040"]
        rect = widget.view.visualRect(widget.model.index(1, NAME))
        # Qt 6's QTest needs the first click of a double-click sent on its own.
        qtbot.mouseClick(widget.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        with qtbot.waitSignal(widget.attendee_activated, timeout=30_000) as blocker:
            qtbot.mouseDClick(widget.view.viewport(), Qt.MouseButton.LeftButton,
                              pos=rect.center())
        assert blocker.args == ["A000041"]
        # Typed and Enter at once (before the type-ahead pause): the first row of the
        # new result gets the cursor when it arrives.
        widget.view.setCurrentIndex(widget.model.index(5, 0))
        widget.search.clear()
        with qtbot.waitSignal(widget.model.loaded, timeout=30_000):
            qtbot.keyClicks(widget.search, "family000033")
            qtbot.keyClick(widget.search, Qt.Key.Key_Return)
        assert widget.view.currentIndex().row() == 0
        assert widget.view.selected_attendee_id() == "A000033"
    finally:
        widget.shutdown()


def test_tab_order(qtbot, small):
    path, _store = small
    widget = AttendeeTableWidget(path, DAY)
    qtbot.addWidget(widget)
    try:
        chain = [widget.search, widget.status_filter, widget.role_filter,
                 widget.country_filter, widget.view]
        for before, after in itertools.pairwise(chain):
            assert _next_focusable(before) is after
    finally:
        widget.shutdown()


def _next_focusable(widget):
    w = widget.nextInFocusChain()
    while w is not None and w.focusPolicy() == Qt.FocusPolicy.NoFocus:
        w = w.nextInFocusChain()
    return w



def test_text_filter_finds_other_spellings(qtbot, small):
    path, store = small
    people = [Attendee(id="M1", given_name="Jörg", family_name="Müller"),
              Attendee(id="Z1", given_name="伟", family_name="张", name_order="family_first")]
    with store.transaction():
        for p in people:
            store.add_attendee(p, search_key=search_key(p))
    model = AttendeeTableModel(path, DAY, autoload=False)
    try:
        assert load(qtbot, model, text="mueller")[0] == 1
        assert model.attendee_id(0) == "M1"
        assert load(qtbot, model, text="MÜLL jö")[0] == 1
        assert load(qtbot, model, text="张伟")[0] == 1
        assert cell(qtbot, model, 0) == "张伟 · Zhang Wei"
    finally:
        model.shutdown()


def test_type_ahead_only_the_last_query_lands(qtbot, small):
    path, _store = small
    model = AttendeeTableModel(path, DAY, autoload=False)
    landed = []
    model.loaded.connect(lambda matching, total: landed.append(matching))
    try:
        for text in ("g", "given0000", "given00001", "given000012"):
            model.set_filters(text=text)
        qtbot.waitUntil(lambda: not model.is_loading(), timeout=30_000)
        assert landed == [1]
        assert model.attendee_id(0) == "A000012"
    finally:
        model.shutdown()


def test_pages_asked_for_the_old_list_never_land_in_the_new_one(qtbot, small):
    path, _store = small
    model = AttendeeTableModel(path, DAY, autoload=False)
    try:
        load(qtbot, model, text="given00004")
        assert cell(qtbot, model, 0) == "Given000040 Family000040"
        with qtbot.waitSignal(model.loaded, timeout=30_000):
            model.set_filters(text="given00005")
            model.refresh()  # nothing new: the view keeps the old rows meanwhile ...
            model.data(model.index(0, 0))  # ... and asks for them again
            model._fresh.clear()
            model.data(model.index(0, 0))
        assert cell(qtbot, model, 0) == "Given000050 Family000050"
        qtbot.waitUntil(lambda: not model._pending, timeout=30_000)
        assert model.data(model.index(0, 0)) == "Given000050 Family000050"
    finally:
        model.shutdown()
