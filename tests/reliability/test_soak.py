"""Issue 17, the soak test: `digest run` for ten scheduled runs against a flaky SMTP server while the
inbox receives pages, corrections, symbolic links out of it, loops and junk.

The production schedule is "every minute" (DIGEST_SEND_CRON="* * * * *"); DIGEST_TEST_SEND_SECOND
makes it fire every 12 seconds, so ten runs take about two minutes. The SMTP server answers 421 at
the greeting, 451 to MAIL, 452 to RCPT, stalls (the client times out) or drops the connection, at
random (seeded) — always before the end of DATA, where a lost connection is ambiguous by nature
(digest then holds the delivery for an operator, which a soak test cannot play). By the end every
reader has every digest that went out exactly once, nothing outside the inbox was read, and the
log has no traceback.
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from digest.store import Store

from .service import Service, issue_folder, smtp_env
from .smtp_faults import FaultServer, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
READERS = ("r1@example.org", "r2@example.org", "r3@example.org")
CANARY = "金丝雀外部文件不得读取"  # text of the files outside the inbox: must never reach the store
RUNS = 10


@dataclass
class Faults:
    """Seeded random faults, each where losing the connection is unambiguous (before DATA ends)."""

    seed: int = 17
    rng: random.Random = field(init=False)
    counts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self, name: str, p: float) -> bool:
        hit = self.rng.random() < p
        if hit:
            self.counts[name] = self.counts.get(name, 0) + 1
        return hit

    def __call__(self, step: str, info: dict) -> str | None:
        if step == "greet":
            if self.pick("421 at greeting", 0.15):
                return "421 4.3.2 too busy, closing"
            if self.pick("stall at greeting", 0.08):
                return "STALL"
        if step == "MAIL" and self.pick("451 to MAIL", 0.08):
            return "451 4.3.0 try again later"
        if step == "RCPT":
            if self.pick("452 to RCPT", 0.25):
                return "452 4.2.2 mailbox full"
            if self.pick("drop at RCPT", 0.08):
                return "DROP"
        if step == "DATA_START":
            if self.pick("stall at DATA", 0.08):
                return "STALL"
            if self.pick("drop at DATA", 0.08):
                return "DROP"
        return None


def hostile_inbox(home, outside) -> None:
    """Links out of the inbox (top level and deep), loops, a FIFO and junk files."""
    inbox = home / "inbox"
    outside.mkdir()
    (outside / "01.txt").write_text(f"## {CANARY}\n\n本报讯 {CANARY}，这是收件箱外面的文件。\n", encoding="utf-8")
    os.symlink(outside, inbox / "2025-07-09")  # a dated folder that is a link out
    os.symlink("/etc", inbox / "etc")
    deep = inbox / "2025-07-10"
    deep.mkdir()
    os.symlink(outside / "01.txt", deep / "01.txt")
    os.symlink("loop_b", inbox / "loop_a")
    os.symlink("loop_a", inbox / "loop_b")
    os.symlink(".", inbox / "self")
    (inbox / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "nul.txt").write_bytes(b"\0" * 4096)
    os.mkfifo(inbox / "fifo.txt")


def test_ten_runs_with_a_flaky_server_and_a_hostile_inbox(tmp_path):
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    faults = Faults()
    days = [f"2025-07-{d:02d}" for d in range(1, 9)]
    with FaultServer(faults) as smtp:
        env = smtp_env(smtp.port, READERS, DIGEST_SMTP_TIMEOUT="1", DIGEST_SEND_RETRIES="2",
                       DIGEST_SEND_TIME_LIMIT="20", DIGEST_RETRY_SECONDS="2", DIGEST_POLL_SECONDS="1",
                       DIGEST_SEND_CRON="* * * * *", DIGEST_TEST_SEND_SECOND="*/12",
                       DIGEST_LOG_FILE=str(tmp_path / "digest.log"), DIGEST_TEST_RETRY_WAIT="0.05,0.3")
        store = Store(f"sqlite:///{home / 'data' / 'digest.db'}")

        def digest_runs() -> int:
            try:
                return len(store.recent_runs(100, job="digest"))
            except Exception:  # noqa: BLE001 - the service creates the database
                return 0

        with Service(home, env) as svc:
            hostile_inbox(home, tmp_path / "outside")
            t0 = time.monotonic()
            for i, day in enumerate(days):  # a new issue every ~14 s, a correction on the way
                issue_folder(home / "inbox", day)
                if i == 4:
                    page = home / "inbox" / days[1] / "02.txt"
                    page.write_text(page.read_text(encoding="utf-8") + "\n更正：本报7月2日第2版一处数字有误。\n",
                                    encoding="utf-8")
                wait_for(lambda i=i: time.monotonic() - t0 > 14 * (i + 1) or not svc.alive(), 30, "time to pass")
                assert svc.alive(), svc.text()[-3000:]
            wait_for(lambda: digest_runs() >= RUNS, 240, f"{RUNS} scheduled runs")

            def settled() -> bool:
                with store.engine.connect() as conn:
                    owed = conn.execute(sa.text(
                        "SELECT count(*) FROM deliveries WHERE status NOT IN ('sent', 'cancelled')")).scalar()
                from digest.plan import undelivered_issues

                return owed == 0 and not undelivered_issues(store, "聊城日报")
            wait_for(settled, 180, "every owed delivery sent and every issue delivered")
            time.sleep(3)  # a last retry round would show a duplicate
            svc.stop()
        log = (tmp_path / "digest.log").read_text(encoding="utf-8") + svc.text()
    assert "Traceback" not in log, log[-5000:]
    assert digest_runs() >= RUNS
    assert sum(faults.counts.values()) >= 10 and len(faults.counts) >= 5, faults.counts  # really flaky
    sent = [d for d in store.list_digests(100) if d["deliveries"]]
    assert len(sent) >= 3
    by_message: dict[tuple[str, str], int] = {}
    for rcpt, data in smtp.accepted:
        mid = next(line for line in data.split(b"\r\n") if line.lower().startswith(b"message-id:"))
        key = (rcpt, mid.split(b":", 1)[1].strip().decode())
        by_message[key] = by_message.get(key, 0) + 1
    for d in sent:
        for r in READERS:
            assert by_message.get((r, d["message_id"])) == 1, (r, d["id"], by_message)
    assert sum(by_message.values()) == len(sent) * len(READERS)  # nothing else, nothing twice
    with store.engine.connect() as conn:  # nothing outside the inbox reached the store
        for table, column in (("pages", "text"), ("articles", "body"), ("pages", "path")):
            hits = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :c"),
                                {"c": f"%{CANARY}%" if column != "path" else f"%{tmp_path / 'outside'}%"}).scalar()
            assert hits == 0, (table, column)
        etc = conn.execute(sa.text("SELECT count(*) FROM pages WHERE path LIKE '/etc/%' OR source LIKE '%passwd%'"))
        assert etc.scalar() == 0
    assert "symbolic link" in log and "loop" in log  # the hostile entries were reported, not followed
