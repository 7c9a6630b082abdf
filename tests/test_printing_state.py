"""CUPS printer attributes -> the queue's printer state (pure mapping, no server needed)."""

import contextlib

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


def test_a_malformed_ipp_answer_is_an_ipp_error_not_a_crash():
    from checkin.printing import ipp

    good = (b"\x01\x01\x00\x00\x00\x00\x00\x01\x04"
            + b"\x23\x00\x0dprinter-state\x00\x04\x00\x00\x00\x03" + b"\x03")
    assert ipp._parse(good) == (0, {"printer-state": 3})
    for cut in range(9, len(good) - 1):
        # IppError is what the CUPS backend turns into "not reachable/refused"; a
        # struct.error or IndexError would be a traceback in front of the desk.
        with contextlib.suppress(ipp.IppError):
            ipp._parse(good[:cut])
    lying = good[:9] + b"\x23\xff\xff" + b"x" * 5
    with pytest.raises(ipp.IppError):
        ipp._parse(lying)
