"""CUPS printer attributes -> the queue's printer state (pure mapping, no server needed)."""

import pytest

from checkin.printing.backend import BUSY, OFFLINE, OUT_OF_PAPER, READY, STOPPED, PrinterState
from checkin.printing.cups import printer_state


@pytest.mark.parametrize(("attributes", "expected"), [
    ({"printer-state": 3, "printer-state-reasons": "none", "printer-is-accepting-jobs": True},
     PrinterState(READY)),
    ({"printer-state": 4, "printer-state-reasons": "none"}, PrinterState(BUSY)),
    ({"printer-state": 5, "printer-state-reasons": "paused", "printer-state-message": "Paused"},
     PrinterState(STOPPED, "paused")),
    ({"printer-state": 5, "printer-state-reasons": "paused",
      "printer-state-message": "out of labels"}, PrinterState(STOPPED, "paused, out of labels")),
    ({"printer-state": 5, "printer-state-reasons": ["media-empty-error", "paused"]},
     PrinterState(OUT_OF_PAPER, "media-empty, paused")),
    ({"printer-state": 3, "printer-state-reasons": "media-needed"},
     PrinterState(OUT_OF_PAPER, "media-needed")),
    ({"printer-state": 3, "printer-state-reasons": "offline-report"},
     PrinterState(OFFLINE, "offline-report")),
    ({"printer-state": 4, "printer-state-reasons": "connecting-to-device"},
     PrinterState(OFFLINE, "connecting-to-device")),
    ({"printer-state": 3, "printer-state-reasons": "media-low-warning"},
     PrinterState(READY, "media-low")),  # a warning does not hold jobs back
    ({"printer-state": 3, "printer-state-reasons": "none", "printer-is-accepting-jobs": False},
     PrinterState(STOPPED, "not accepting jobs")),
    ({}, PrinterState(READY)),
])
def test_printer_state(attributes, expected):
    assert printer_state(attributes) == expected


def test_state_text():
    assert str(PrinterState(OUT_OF_PAPER, "media-empty")) == "out of paper (media-empty)"
    assert not PrinterState(OUT_OF_PAPER).ready and PrinterState(BUSY).ready
