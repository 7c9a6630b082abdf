"""The station app's background sync step and its schedule (checkin.sync.background)."""

from pathlib import Path

from checkin.sync.background import BACKOFF_S, EVERY_S, SyncStatus, next_delay, step
from checkin.sync.client import remember
from tests.hub_server import free_port
from tests.test_admission_support import make_event


def test_schedule_backs_off_and_caps():
    online = SyncStatus(paired=True, online=True)
    offline = SyncStatus(paired=True, online=False)
    assert next_delay(online, 0) == EVERY_S
    assert [next_delay(offline, n) for n in range(1, 8)] == [5, 10, 20, 40, 60, 60, 60]
    assert max(BACKOFF_S) == 60


def test_a_desk_without_a_hub_sends_nothing(tmp_path: Path):
    event = make_event(tmp_path / "desk.sqlite")
    status = step(event.store, event.path, SyncStatus())
    assert not status.paired and not status.online


def test_an_unreachable_hub_is_a_status_not_an_exception(tmp_path: Path):
    event = make_event(tmp_path / "desk.sqlite")
    remember(event.store, event.path, f"http://127.0.0.1:{free_port()}", "t" * 43)
    first = step(event.store, event.path, SyncStatus())
    assert first.paired and not first.online and first.offline_since
    assert "unreachable" in first.error and "\n" not in first.error
    again = step(event.store, event.path, first)
    assert again.offline_since == first.offline_since  # offline since the first failure
    final = step(event.store, event.path, again, final=True)
    assert not final.all_synced
