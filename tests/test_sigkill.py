"""A station killed with SIGKILL in the middle of a burst loses no admission it reported."""

import json
import os
import signal
import subprocess
import sys

import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.models import Attendee
from checkin.store import CHECKIN
from tests.test_admission_support import DAY1, make_event

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

BURST = 600


def test_sigkill_during_a_burst(tmp_path):
    people = [Attendee(id=f"p{i:04d}", given_name=f"Person {i}") for i in range(BURST)]
    ev = make_event(tmp_path / "event.sqlite", people)
    inputs = [ev.token(p.id) for p in people]
    inputs[::7] = ["garbage"] * len(inputs[::7])  # refusals mixed in, as at a real desk
    ev.store.db.conn.close()

    proc = subprocess.Popen(
        [sys.executable, "-m", "checkin", "--db", str(ev.path), "scan", "--json",
         "--station", "desk-k", "--day", DAY1, *inputs],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    reported = []
    try:
        for line in proc.stdout:
            reported.append(json.loads(line))
            if len(reported) == 40:
                break
        # The process is mid-burst (and soon blocked on the pipe we stopped reading).
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        # Whatever it wrote before it died was reported too: read it all.
        reported.extend(json.loads(line) for line in proc.stdout if line.endswith("\n"))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert 40 <= len(reported) < BURST, "the kill must land in the middle of the burst"

    conn = keyed_connect(ev.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    logged = {row[0]: row[1] for row in conn.execute(
        "SELECT uuid, attendee_id FROM events WHERE type = ? AND day = ?", [CHECKIN, DAY1])}
    oks = [r for r in reported if r["verdict"] == "ok"]
    assert len(oks) >= 30
    for verdict in oks:
        assert logged.get(verdict["event"]) == verdict["attendee_id"], verdict
    assert all(r["verdict"] in ("ok", "malformed") for r in reported)
    conn.close()
