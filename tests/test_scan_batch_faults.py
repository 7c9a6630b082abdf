"""A write that fails in the middle of a `checkin scan` batch (a real full disk) does not
end the batch: every input gets its own verdict line, the failed ones say they were not
recorded, and every `ok` printed is in the database."""

import json
import subprocess
import sys

import pytest

from checkin.db import connect as keyed_connect  # keyed when encrypted
from checkin.models import Attendee
from tests.disk import PAGE, fill, small_disk, unfill
from tests.test_admission_support import DAY1, make_event

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="tmpfs")

COUNT = 80


def _scan(db, inputs):
    return subprocess.run(
        [sys.executable, "-m", "checkin", "--db", str(db), "scan", "--json", "--day", DAY1,
         "--station", "desk-f", *inputs], capture_output=True, text=True, timeout=120)


def _fresh_event(disk):
    path = disk / "event.sqlite"
    for suffix in ("", "-wal", "-shm", ".key"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    people = [Attendee(id=f"p{i:03d}", given_name=f"Person {i}") for i in range(COUNT)]
    ev = make_event(path, people)
    inputs = [ev.token(p.id) for p in people]
    inputs[5::9] = ["not a code"] * len(inputs[5::9])  # answers that need no write
    ev.store.close()
    return path, inputs


def test_a_full_disk_mid_batch_gives_every_input_its_line(tmp_path):
    with small_disk(tmp_path / "disk", "6m") as disk:
        found = None
        for pages in range(12, 40, 3):  # the open needs a few pages, each admission some
            path, inputs = _fresh_event(disk)
            fill(disk, leave=pages * PAGE)
            result = _scan(path, inputs)
            unfill(disk)
            assert "Traceback" not in result.stderr, result.stderr
            lines = [json.loads(line) for line in result.stdout.splitlines()]
            kinds = {line["verdict"] for line in lines}
            stopped = bool(lines) and len(lines) < len(inputs)  # the fault before the fix
            if ("ok" in kinds and "not_recorded" in kinds) or stopped:
                found = (result, lines, path, inputs)
                break
        assert found is not None, "the disk must fill in the middle of the batch"
        result, lines, path, inputs = found
        assert len(lines) == len(inputs), result.stderr
        assert [line["input"] for line in lines] == inputs
        assert result.returncode == 1  # not every admission was recorded
        conn = keyed_connect(path)
        logged = {row[0] for row in conn.execute("SELECT uuid FROM events WHERE type = 'checkin'")}
        conn.close()
        for line in lines:
            if line["verdict"] == "ok":
                assert line["event"] in logged
            elif line["verdict"] == "not_recorded":
                assert line["recorded"] is False and line["attendee_id"]
                assert "disk is full" in line["message"]
            else:
                assert line["verdict"] == "malformed"
