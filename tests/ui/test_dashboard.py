"""The dashboard shows the numbers of a known event log, as charts and as tables."""

import pytest

from checkin.db import open_db
from checkin.models import Attendee
from checkin.store import CHECKIN, UNDO, Store
from ui.dashboard import TOP_COUNTRIES, DashboardWidget

DAY = "2026-12-01"


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00.000+01:00"


@pytest.fixture
def event(tmp_path):
    path = tmp_path / "event.sqlite"
    store = Store(open_db(path, create=True), station="desk-1")
    store.set_event("Dash Congress", [DAY])
    with store.transaction():
        store.add_attendee(Attendee(id="a1", given_name="Ann", role="delegate", country="DE"))
        store.add_attendee(Attendee(id="a2", given_name="Bo", role="delegate", country="SE"))
        store.add_attendee(Attendee(id="a3", given_name="Cy", role="speaker", country="DE"))
        store.add_attendee(Attendee(id="a4", given_name="Di", role="press", country="FR"))
        store.append(CHECKIN, "a1", day=DAY, time=at("08:03"))
        store.append(CHECKIN, "a2", day=DAY, time=at("08:14"))
        store.append(CHECKIN, "a3", day=DAY, time=at("08:47"))
        store.append(CHECKIN, "a4", day=DAY, time=at("08:50"))
        store.append(UNDO, "a4", day=DAY, time=at("08:51"))
    return path, store


@pytest.fixture
def dashboard(qtbot, event):
    path, _store = event
    widget = DashboardWidget(path, DAY, autoload=False)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()


def refresh(qtbot, widget):
    with qtbot.waitSignal(widget.updated, timeout=30_000) as blocker:
        widget.refresh()
    return blocker.args[0]


def table(panel):
    return [[panel.cell(r, c) for c in range(panel.table.columnCount())]
            for r in range(panel.table.rowCount())]


def test_numbers_match_the_log(qtbot, dashboard):
    report = refresh(qtbot, dashboard)
    assert (report.checked_in, report.expected) == (3, 4)
    assert dashboard.summary.text().endswith(": 3 of 4 checked in (75 %)")
    assert "2026" in dashboard.summary.text()
    assert table(dashboard.arrivals) == [
        ["08:00", "2", "2"], ["08:15", "0", "2"], ["08:30", "0", "2"], ["08:45", "1", "3"]]
    assert table(dashboard.roles) == [
        ["Delegate", "2", "2", "100 %"], ["Speaker", "1", "1", "100 %"],
        ["Press", "0", "1", "0 %"]]
    assert table(dashboard.countries)[0][:3] == ["DE — Germany", "2", "2"]
    # The chart holds the same numbers as the table.
    series = dashboard.arrivals.chart.series()[0]
    bars = series.barSets()[0]
    assert [int(bars.at(i)) for i in range(bars.count())] == [2, 0, 0, 1]
    axis = dashboard.arrivals.chart.axes()[0]
    categories = axis.categories() if hasattr(axis, "categories") else \
        dashboard.arrivals.chart.axes()[1].categories()
    assert categories == ["08:00", "08:15", "08:30", "08:45"]


def test_refresh_after_more_arrivals(qtbot, dashboard, event):
    _path, store = event
    refresh(qtbot, dashboard)
    with store.transaction():
        store.append(CHECKIN, "a4", day=DAY, time=at("09:10"))
    report = refresh(qtbot, dashboard)
    assert report.checked_in == 4
    assert table(dashboard.arrivals)[-1] == ["09:00", "1", "4"]
    assert dashboard.summary.text().endswith("4 of 4 checked in (100 %)")
    # Two refreshes in a row: the second runs after the first, nothing is lost.
    with qtbot.waitSignals([dashboard.updated, dashboard.updated], timeout=30_000):
        dashboard.refresh()
        dashboard.refresh()


def test_empty_day(qtbot, event):
    path, _store = event
    widget = DashboardWidget(path, "2026-12-24", autoload=False)
    qtbot.addWidget(widget)
    try:
        report = refresh(qtbot, widget)
        assert report.arrivals == []
        assert widget.arrivals.table.rowCount() == 0
        assert "0 of 0 checked in" in widget.summary.text()
    finally:
        widget.shutdown()


def test_many_countries_fold_into_other(qtbot, tmp_path):
    path = tmp_path / "event.sqlite"
    store = Store(open_db(path, create=True))
    store.set_event("World", [DAY])
    codes = ["AR", "AT", "AU", "BE", "BR", "CA", "CH", "CN", "CZ", "DE", "DK", "ES", "FI",
             "FR", "GB", "GR", "IE", "IN", "IT", "JP"]
    with store.transaction():
        for n, code in enumerate(codes):
            store.add_attendee(Attendee(id=f"p{n}", given_name="P", country=code))
            store.append(CHECKIN, f"p{n}", day=DAY, time=at("10:00"))
    widget = DashboardWidget(path, DAY, autoload=False)
    qtbot.addWidget(widget)
    try:
        refresh(qtbot, widget)
        assert widget.countries.table.rowCount() == len(codes)  # the table shows all
        bars = widget.countries.chart.series()[0].barSets()[0]
        assert bars.count() == TOP_COUNTRIES
        assert sum(int(bars.at(i)) for i in range(bars.count())) == len(codes)
    finally:
        widget.shutdown()


def test_missing_database_says_so(qtbot, tmp_path):
    widget = DashboardWidget(tmp_path / "nope.sqlite", DAY, autoload=False)
    qtbot.addWidget(widget)
    try:
        with qtbot.waitSignal(widget.error, timeout=30_000):
            widget.refresh()
        assert "no event database" in widget.summary.text()
        assert widget.report() is None
    finally:
        widget.shutdown()


def test_widgets_deleted_without_shutdown_stop_their_lanes(qtbot, event):
    """A tab replaced by deleteLater must not leave a running thread behind."""
    from ui.attendee_table import AttendeeTableWidget

    path, _store = event
    dashboard = DashboardWidget(path, DAY)
    table = AttendeeTableWidget(path, DAY)
    lanes = [dashboard._lane, table.model._lane]
    with qtbot.waitSignals([dashboard.updated, table.model.loaded], timeout=30_000):
        pass
    with qtbot.waitSignals([dashboard.destroyed, table.destroyed], timeout=30_000):
        dashboard.deleteLater()
        table.deleteLater()
    assert all(lane.stopped and not lane._thread.isRunning() for lane in lanes)
