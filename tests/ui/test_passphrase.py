"""The station app on an encrypted event database: the passphrase dialog before the
database opens, then the desk working on it (docs/encryption.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from checkin import cipher, passphrases
from checkin.store import CHECKIN
from tests.ui.conftest import TODAY, TOMORROW, _people, close_window, open_window
from tests.ui.test_station_flows import events, scan
from ui.passphrase_dialog import PassphraseDialog, unlock_at_start

SECRET = "a sentence only the desk knows"


@pytest.fixture
def encrypted_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from tests.event_setup import signed_event

    monkeypatch.delenv(passphrases.ENV, raising=False)
    monkeypatch.setattr(passphrases, "keyring_get", lambda path: None)
    db_path = tmp_path / "event.sqlite"
    passphrases.remember(db_path, SECRET)  # open_db makes the new file encrypted
    tokens = signed_event(db_path, _people(), [TODAY, TOMORROW])
    passphrases.forget(db_path)
    assert cipher.is_encrypted(db_path)
    yield db_path, tokens
    passphrases.forget(db_path)


def answer_dialogs(answers: list[str | None], seen: list[str]) -> None:
    """Type each answer into the next passphrase dialog (None: Cancel); seen gets the
    problem line each dialog showed when it came up."""
    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog):
            QTimer.singleShot(10, step)  # polling: the dialog is not up yet
            return
        seen.append(dialog.problem.text())
        text = answers.pop(0)
        if text is None:
            dialog.reject()
            return
        dialog.first.setText(text)
        dialog.accept()
        if answers:
            QTimer.singleShot(10, step)

    QTimer.singleShot(0, step)


def test_the_passphrase_is_asked_before_the_database_opens(qtbot, encrypted_event,
                                                           station_config, tmp_path):
    db_path, tokens = encrypted_event
    seen: list[str] = []
    answer_dialogs(["not the passphrase", SECRET], seen)
    assert unlock_at_start(db_path)
    assert seen[0] == ""
    assert "does not open the database" in seen[1]
    assert passphrases.known(db_path) == SECRET
    window = open_window(qtbot, db_path, station_config, tmp_path / "station.toml")
    try:
        out = scan(qtbot, window, tokens["A1"])
        assert out.kind == "ok"
        assert len(events(db_path, "A1", CHECKIN)) == 1
        wal = Path(f"{db_path}-wal")
        assert wal.exists()  # the admission is in it while the station runs
        for data in (db_path.read_bytes(), wal.read_bytes()):
            assert "Müller".encode() not in data and b"Lindqvist" not in data
    finally:
        close_window(qtbot, window)


def test_cancel_does_not_open_it(qtbot, encrypted_event):
    db_path, _tokens = encrypted_event
    seen: list[str] = []
    answer_dialogs([None], seen)
    assert not unlock_at_start(db_path)
    assert passphrases.known(db_path) is None


def test_no_dialog_when_the_environment_has_it(qtbot, encrypted_event, monkeypatch):
    db_path, _tokens = encrypted_event
    monkeypatch.setenv(passphrases.ENV, SECRET)
    assert unlock_at_start(db_path)  # a dialog would wait here: no answer is given
    assert passphrases.known(db_path) == SECRET


def test_a_plain_database_needs_no_passphrase(qtbot, tmp_path):
    assert unlock_at_start(tmp_path / "not-there-yet.sqlite")


def test_a_new_passphrase_is_typed_twice_and_long_enough(qtbot, tmp_path):
    dialog = PassphraseDialog(tmp_path / "new.sqlite", new=True)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.first.setText("short")
    dialog.second.setText("short")
    assert not ok.isEnabled()
    dialog.first.setText(SECRET)
    assert not ok.isEnabled()
    dialog.second.setText(SECRET)
    assert ok.isEnabled()
