"""Issue 17, item 7: one slow or dead SMTP server never stalls the service.

After a connection-level failure the other recipients of that send are not tried (they stay
queued); the whole send is bounded in time (DIGEST_SEND_TIME_LIMIT); the inbox job runs on its own
thread, so polling goes on while a send hangs; a stop ends a hanging send quickly; and the
defaults end well within the systemd unit's stop timeout.
"""
from __future__ import annotations

import re
import shutil
import time

import pytest

from digest.config import Settings
from digest.store import Store

from ..conftest import REPO
from .service import Service, digest, issue_folder, smtp_env, status_json
from .smtp_faults import FaultServer, wait_for

pytestmark = pytest.mark.slow
DAY = "2025-06-18"
READERS = ("r1@example.org", "r2@example.org", "r3@example.org")
FAST = {"DIGEST_TEST_RETRY_WAIT": "0.05,0.2"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    home = tmp_path_factory.mktemp("template")
    issue_folder(home / "inbox", DAY)
    assert digest(home, "ingest").returncode == 0
    return home


@pytest.fixture
def home(ingested, tmp_path):
    return shutil.copytree(ingested, tmp_path / "home")


def test_after_a_connection_failure_the_other_recipients_are_not_tried(home):
    with FaultServer(tarpit=True) as smtp:  # accepts TCP, never greets
        env = smtp_env(smtp.port, READERS, DIGEST_SMTP_TIMEOUT="1", DIGEST_SEND_RETRIES="2", **FAST)
        t0 = time.monotonic()
        res = digest(home, "send", "--date", DAY, env=env)
        took = time.monotonic() - t0
        assert res.returncode == 2, res.stdout + res.stderr
        assert smtp.connections == 2  # two tries for the first reader, none for the others
    assert took < 15, took  # was: every reader, every retry, each waiting for the timeout
    held = {d["recipient"]: d for d in status_json(home, **env)["deliveries"]}
    assert {r: d["status"] for r, d in held.items()} == {r: "queued" for r in READERS}
    assert "timed out" in held["r1@example.org"]["last_reply"]
    for r in READERS[1:]:
        assert held[r]["attempts"] == 0 and "the server failed for an earlier recipient" in held[r]["last_reply"]


def test_the_whole_send_is_bounded_in_time(home):
    many = tuple(f"reader{i:02d}@example.org" for i in range(12))

    def decide(step, info):  # a slow server: two seconds for every message
        return "SLOW 2" if step == "DATA" else None

    with FaultServer(decide) as smtp:
        env = smtp_env(smtp.port, many, DIGEST_SEND_TIME_LIMIT="5", **FAST)
        t0 = time.monotonic()
        res = digest(home, "send", "--date", DAY, env=env)
        took = time.monotonic() - t0
        assert res.returncode == 1, res.stdout + res.stderr  # partly done
    sent = smtp.received()
    assert 1 <= len(sent) <= 4 and all(n == 1 for n in sent.values())
    assert took < 5 + 8, took  # the limit, a little for the message under way, start-up
    left = [line for line in res.stdout.splitlines() if "DIGEST_SEND_TIME_LIMIT" in line]
    assert len(left) == len(many) - len(sent)  # the others are left queued, saying why


@pytest.mark.timeout(300)
def test_inbox_polling_goes_on_while_a_send_hangs_and_a_stop_is_quick(home):
    with FaultServer(tarpit=True) as smtp:
        env = smtp_env(smtp.port, READERS, DIGEST_SMTP_TIMEOUT="20", DIGEST_SEND_RETRIES="1",
                       DIGEST_POLL_SECONDS="1", DIGEST_SEND_CRON="* * * * *", DIGEST_TEST_SEND_SECOND="*/2", **FAST)
        with Service(home, env) as svc:
            wait_for(lambda: smtp.connections >= 1, 60, "the digest job connecting to the silent server")
            hang_started = time.monotonic()
            issue_folder(home / "inbox", "2025-06-19")  # arrives while the send hangs
            wait_for(lambda: "dates 2025-06-19" in svc.text(), 15, "the new issue ingested during the hanging send")
            assert time.monotonic() - hang_started < 19  # before the send's timeout: polling was never held up
            took = svc.stop(timeout=60)
            assert took < 10, took  # the connection waiting for the silent server is closed at once
        assert "Traceback" not in svc.text(), svc.text()
    store = Store(f"sqlite:///{home / 'data' / 'digest.db'}")
    held = {d["recipient"]: d["status"] for d in store.pending_deliveries()}
    assert held == {r: "queued" for r in READERS}  # nothing lost: the next run sends them


def test_default_timeouts_end_well_within_the_units_stop_timeout():
    unit = (REPO / "config" / "digest.service").read_text(encoding="utf-8")
    stop_timeout = int(re.search(r"^TimeoutStopSec=(\d+)", unit, re.M).group(1))
    defaults = Settings()
    # a send ends within its time limit plus one SMTP operation; a stop, within one SMTP operation
    assert defaults.send_time_limit + defaults.smtp_timeout <= stop_timeout / 2
    assert defaults.smtp_timeout * 3 <= stop_timeout / 2
