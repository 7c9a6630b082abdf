"""One start-up path with a log: a fault on any lane leaves its traceback in the log file,
and Help > About says where that file is."""

import logging

from checkin import logsetup
from tests.conftest import LOG_FILE
from ui.workers import Lane


def test_a_failing_lane_task_is_logged_with_its_traceback(qtbot):
    lane = Lane("test-crash")
    errors: list[BaseException] = []

    def explode(_context: object) -> None:
        raise ZeroDivisionError("deliberately broken task 7f3a")

    with qtbot.waitSignal(lane.idle, timeout=30_000):
        lane.submit(explode, on_error=errors.append, name="explode")
    lane.stop()
    assert isinstance(errors[0], ZeroDivisionError)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = LOG_FILE.read_text(encoding="utf-8")
    assert "lane test-crash: task 'explode' failed" in text
    assert "Traceback (most recent call last)" in text
    assert "ZeroDivisionError: deliberately broken task 7f3a" in text


def test_about_names_the_version_database_and_log(main_window):
    text = main_window.about_text()
    assert str(main_window.station.db_path) in text
    assert str(logsetup.log_path()) in text
    assert main_window.act_about in main_window.menu_help.actions()
