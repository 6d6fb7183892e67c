"""Issue 17, items 4, 5, 6, 15 and 16, and issue 15, items 2 and 4: no reader misses a digest.

Real `digest` processes, a real store in a fresh home per test and the fault-injecting SMTP
server of smtp_faults.py on 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import shutil
import socket

import pytest
import sqlalchemy as sa

from digest.schema import deliveries
from digest.store import Store

from .service import Service, digest, issue_folder, smtp_env, status_json
from .smtp_faults import FaultServer, wait_for

pytestmark = pytest.mark.slow
DAY = "2025-06-18"
READERS = ("r1@example.org", "r2@example.org", "r3@example.org")
FAST = {"DIGEST_TEST_RETRY_WAIT": "0.05,0.2"}  # backoff between tries, for a subprocess


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """A home with the sample issue of 2025-06-18 ingested (copied for each test)."""
    home = tmp_path_factory.mktemp("template")
    issue_folder(home / "inbox", DAY)
    res = digest(home, "ingest")
    assert res.returncode == 0, res.stderr
    return home


@pytest.fixture
def home(ingested, tmp_path):
    target = tmp_path / "home"
    shutil.copytree(ingested, target)
    return target


def store_of(home) -> Store:
    return Store(f"sqlite:///{home / 'data' / 'digest.db'}")


def counts(home) -> dict[str, int]:
    """Rows of the tables a send may write (a table this schema lacks counts 0)."""
    with store_of(home).engine.connect() as conn:
        have = set(sa.inspect(conn).get_table_names())
        return {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar() if name in have else 0
                for name in ("digests", "deliveries", "subscribers", "test_sends")}


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


# -- 17.4: a test send never counts as delivery -----------------------------------------------------

def test_test_send_from_the_cli_never_counts_as_delivery(home):
    with FaultServer() as smtp:
        env = smtp_env(smtp.port, READERS, **FAST)
        res = digest(home, "send", "--date", DAY, "--test-to", "editor@example.org", env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "editor@example.org: sent (test send: not a delivery)" in res.stdout
        assert smtp.received() == {"editor@example.org": 1}
        res = digest(home, "run", "--once", "--settle", "0", env=env)  # the morning run
        assert res.returncode == 0, res.stderr
        assert smtp.received() == {"editor@example.org": 1, **{r: 1 for r in READERS}}
        assert "no new issue" not in res.stderr
    row = store_of(home).list_digests(1)[0]
    assert [t["recipient"] for t in row["test_sends"]] == ["editor@example.org"]
    assert sorted(d["recipient"] for d in row["deliveries"]) == list(READERS)


def test_test_send_from_the_preview_never_counts_as_delivery(home):
    import re

    from digest.config import load_settings
    from digest.preview import create_app

    with FaultServer() as smtp:
        env = smtp_env(smtp.port, READERS, **FAST)
        settings = load_settings({"home": str(home)}, env=env)
        c = create_app(settings, store_of(home)).test_client()
        page = c.get(f"/digest?from={DAY}&to={DAY}").get_data(as_text=True)
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        resp = c.post("/digest/send-test", data={"from": DAY, "to": DAY, "addr": "editor@example.org", "csrf": token})
        assert resp.status_code == 200
        assert smtp.received() == {"editor@example.org": 1}
        res = digest(home, "run", "--once", "--settle", "0", env=env)
        assert res.returncode == 0, res.stderr
        assert smtp.received() == {"editor@example.org": 1, **{r: 1 for r in READERS}}


# -- 17.15 and 15.2: one validated address per recipient, a range named as `build` names it ----------

def test_each_test_address_is_one_record_and_one_message_to_that_address_only(home):
    with FaultServer() as smtp:
        env = smtp_env(smtp.port, ("list-a@example.org", "list-b@example.org"), **FAST)
        res = digest(home, "send", "--date", DAY, "--test-to", "a@example.org,b@example.net",
                     "--test-to", "张三 <d@example.org> e@example.com", "--json", env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        out = json.loads(res.stdout)
        wanted = {"a@example.org", "b@example.net", "d@example.org", "e@example.com"}
        assert set(out["outcome"]) == wanted and out["test"] is True
        assert all(o["status"] == "sent" and o["test"] for o in out["outcome"].values())
        assert smtp.received() == {a: 1 for a in wanted}
        for rcpt in wanted:
            [data] = smtp.messages_for(rcpt)
            msg = parse(data)
            assert [a.addr_spec for a in msg["To"].addresses] == [rcpt]
            head = data.split(b"\r\n\r\n", 1)[0]
            assert b"list-a@example.org" not in head and b"list-b@example.org" not in head
    c = counts(home)
    assert c["test_sends"] == 4 and c["deliveries"] == 0 and c["subscribers"] == 0


@pytest.mark.parametrize("args,words", [
    (("--test-to", "2025-07-30"), "not an address"),
    (("--test-to", "editor@example.org another"), "not an address"),
    (("--test-to", "a@example.org, b@bad"), "not a valid e-mail address"),
    (("--to", "editor@example.org"), "--test-to"),
    (("--from", DAY, "--until", DAY), "--from D1 --to D2"),
])
def test_misnamed_or_bad_recipients_are_refused_before_anything_is_built_or_sent(home, args, words):
    with FaultServer() as smtp:
        before = counts(home)
        res = digest(home, "send", *args, env=smtp_env(smtp.port, READERS))
        assert res.returncode == 2, res.stdout + res.stderr
        assert words in res.stderr and "Traceback" not in res.stderr
        assert smtp.connections == 0 and counts(home) == before
        assert not (home / "outbox").exists() or not any((home / "outbox").iterdir())


def test_a_bad_default_recipient_stops_the_send_before_the_build(home):
    with FaultServer() as smtp:
        res = digest(home, "send", "--from", DAY, "--to", DAY,
                     env=smtp_env(smtp.port, (), DIGEST_TO="r1@example.org, r2@example,org"))
        assert res.returncode == 2 and "DIGEST_TO" in res.stderr
        assert smtp.connections == 0 and counts(home)["digests"] == 0


def test_send_names_its_range_like_build_and_dry_run_writes_nothing(home):
    with FaultServer() as smtp:
        env = smtp_env(smtp.port, READERS, **FAST)
        before = counts(home)
        res = digest(home, "send", "--from", DAY, "--to", DAY, "--dry-run", env=env)
        assert res.returncode == 0, res.stderr
        assert all(f"{r}: dry-run" in res.stdout for r in READERS)
        assert counts(home) == before and not (home / "outbox").exists()  # no digest, file, reader or delivery
        assert smtp.connections == 0
        res = digest(home, "send", "--from", DAY, "--to", DAY, env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert smtp.received() == {r: 1 for r in READERS}
        before = counts(home)
        res = digest(home, "send", "--from", DAY, "--to", DAY, "--dry-run", env=env)
        assert res.returncode == 0 and "already sent" in res.stdout
        assert counts(home) == before and smtp.received() == {r: 1 for r in READERS}


# -- 15.4: an empty range writes nothing -----------------------------------------------------------

def test_an_empty_range_writes_nothing_and_says_so(home):
    res = digest(home, "build", "--from", "2023-01-01", "--to", "2023-01-31")
    assert res.returncode == 2 and "no articles" in res.stderr and "nothing written" in res.stderr
    assert counts(home)["digests"] == 0
    assert not (home / "outbox").exists() or not any((home / "outbox").iterdir())
    with FaultServer() as smtp:
        res = digest(home, "send", "--from", "2023-01-01", "--to", "2023-01-31", env=smtp_env(smtp.port, READERS))
        assert res.returncode == 2 and "no articles" in res.stderr
        assert smtp.connections == 0 and counts(home)["digests"] == 0


# -- 17.5: queued deliveries of earlier digests are retried by the service ---------------------------

def test_a_reader_refused_with_452_on_day_one_gets_that_digest_later(home):
    full = {"r2@example.org"}

    def decide(step, info):
        return "452 4.2.2 mailbox full" if step == "RCPT" and info["rcpt"] in full else None

    with FaultServer(decide) as smtp:
        env = smtp_env(smtp.port, READERS, DIGEST_RETRY_SECONDS="1", **FAST)
        res = digest(home, "run", "--once", "--settle", "0", env=env)  # the morning of day one
        assert res.returncode == 1, res.stderr  # partly done
        assert smtp.received() == {"r1@example.org": 1, "r3@example.org": 1}
        owed = status_json(home, **env)["owed"]
        assert [(o["queued"], o["given_up"]) for o in owed] == [(1, False)]
        text = digest(home, "status", **env).stdout
        assert "still owed: digest" in text and "retried by `digest run`" in text
        full.clear()  # the reader made room; day two's issue arrives and the service runs
        issue_folder(home / "inbox", "2025-06-19")
        with Service(home, {**env, "DIGEST_POLL_SECONDS": "1", "DIGEST_SEND_CRON": "0 7 1 1 *"}) as svc:
            wait_for(lambda: smtp.received().get("r2@example.org"), 60, "the owed digest retried by the service")
            svc.stop()
        assert "Traceback" not in svc.text()
    day_one = store_of(home).list_digests(5)[-1]
    [got] = smtp.messages_for("r2@example.org")
    assert parse(got)["Message-ID"] == day_one["message_id"]  # the digest of day one, once
    assert smtp.received() == {r: 1 for r in READERS}
    assert status_json(home, **env)["owed"] == []


def test_a_service_killed_mid_send_restarts_and_the_queued_readers_get_their_mail(home):
    with FaultServer() as smtp:
        env = smtp_env(smtp.port, READERS, DIGEST_RETRY_SECONDS="1", DIGEST_LEADER_LEASE_SECONDS="2",
                       DIGEST_SEND_CRON="* * * * *", DIGEST_TEST_SEND_SECOND="*/3", DIGEST_POLL_SECONDS="1", **FAST)
        with Service(home, {**env, "DIGEST_CRASH_AT": "send:after-claim#2"}) as svc:  # dies sending to the 2nd
            svc.proc.wait(90)
            assert svc.proc.returncode == -9, svc.text()
        assert smtp.received() == {"r1@example.org": 1}
        data = status_json(home, **env)
        held = {d["recipient"]: d["status"] for d in data["deliveries"]}
        assert held == {"r2@example.org": "sending", "r3@example.org": "queued"}
        assert "a process that is gone" in digest(home, "status", **env).stdout
        with Service(home, env) as svc:  # restarted
            wait_for(lambda: smtp.received() == {r: 1 for r in READERS}, 60, "every reader served once")
            wait_for(lambda: "retry" in svc.text() or "resumed" in svc.text(), 10, "the retry logged")
            svc.stop()
        assert smtp.received() == {r: 1 for r in READERS}  # and nobody twice
        assert "Traceback" not in svc.text()


# -- 17.6: stuck claims -----------------------------------------------------------------------------

def _claim(home, recipient, claimed_by, lease_from_now):
    store = store_of(home)
    digest_id = store.list_digests(1)[0]["id"]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with store.engine.begin() as conn:
        conn.execute(sa.update(deliveries).where(deliveries.c.digest_id == digest_id,
                                                 deliveries.c.recipient == recipient)
                     .values(status="sending", claimed_by=claimed_by, lease_until=now + lease_from_now,
                             updated_at=now))
    return digest_id


def test_claims_of_another_host_or_a_reused_pid_are_explained_and_taken_over_after_their_lease(home):
    refuse = set(READERS)

    def decide(step, info):
        return "451 4.3.0 not now" if step == "RCPT" and info["rcpt"] in refuse else None

    with FaultServer(decide) as smtp:
        env = smtp_env(smtp.port, READERS, DIGEST_SEND_RETRIES="1", **FAST)
        assert digest(home, "send", "--date", DAY, env=env).returncode == 2  # all three queued
        refuse.clear()
        host = socket.gethostname()
        _claim(home, "r1@example.org", "mail-2.example.org:4242", dt.timedelta(minutes=10))  # another host
        _claim(home, "r2@example.org", f"{host}:1", dt.timedelta(minutes=10))  # pid 1 is alive: a reused pid
        text = digest(home, "status", **env).stdout
        assert "being sent by mail-2.example.org:4242, lease until" in text
        assert f"being sent by {host}:1, lease until" in text
        res = digest(home, "send", "--date", DAY, "--requeue", env=env)
        assert "not requeued: being sent by mail-2.example.org:4242" in res.stderr  # not under a live lease
        assert smtp.received() == {"r3@example.org": 1}
        _claim(home, "r1@example.org", "mail-2.example.org:4242", dt.timedelta(seconds=-1))  # leases expired
        digest_id = _claim(home, "r2@example.org", f"{host}:1", dt.timedelta(seconds=-1))
        text = digest(home, "status", **env).stdout
        assert text.count("lease expired: the next send (or --requeue) takes it over") == 2
        res = digest(home, "send", "--digest-id", str(digest_id), env=env)
        assert res.returncode == 0, res.stdout + res.stderr
        assert smtp.received() == {r: 1 for r in READERS}  # taken over: nobody skipped forever, nobody twice


def test_requeue_releases_a_claim_only_after_its_lease(home):
    with FaultServer() as smtp:
        env = smtp_env(smtp.port, READERS, **FAST)
        assert digest(home, "send", "--date", DAY, "--dry-run", env=env).returncode == 0
        assert digest(home, "build", "--date", DAY).returncode == 0
        store = store_of(home)
        digest_id = store.list_digests(1)[0]["id"]
        store.queue_deliveries(digest_id, READERS)
        _claim(home, "r1@example.org", "gone-host.example.org:99", dt.timedelta(minutes=5))
        res = digest(home, "send", "--digest-id", str(digest_id), "--requeue", env=env)
        assert "r1@example.org: not requeued" in res.stderr and "try again after it" in res.stderr
        assert smtp.received() == {"r2@example.org": 1, "r3@example.org": 1}
        _claim(home, "r1@example.org", "gone-host.example.org:99", dt.timedelta(seconds=-5))
        res = digest(home, "send", "--digest-id", str(digest_id), "--requeue", env=env)
        assert res.returncode == 0 and smtp.received() == {r: 1 for r in READERS}


# -- 17.16: status counts real SMTP tries and calls a timeout a timeout --------------------------------

def test_status_counts_every_smtp_try(home):
    replies = ["451 4.3.0 try again", "451 4.3.0 try again"]

    def decide(step, info):
        return replies.pop(0) if step == "DATA" and replies else None

    with FaultServer(decide) as smtp:
        env = smtp_env(smtp.port, ("r1@example.org",), DIGEST_SEND_RETRIES="5", **FAST)
        res = digest(home, "send", "--date", DAY, env=env)
        assert res.returncode == 0, res.stdout + res.stderr
    [row] = store_of(home).list_digests(1)[0]["deliveries"]
    assert row["attempts"] == 3 and row["status"] == "sent"


def test_a_server_that_never_answers_is_reported_as_a_timeout(home):
    with FaultServer(tarpit=True) as smtp:
        env = smtp_env(smtp.port, ("r1@example.org",), DIGEST_SMTP_TIMEOUT="1", DIGEST_SEND_RETRIES="2", **FAST)
        res = digest(home, "send", "--date", DAY, env=env)
        assert res.returncode == 2
        assert "timed out" in res.stdout and "connection closed" not in res.stdout, res.stdout
    text = digest(home, "status", **env).stdout
    line = next(x for x in text.splitlines() if "r1@example.org: queued" in x)
    assert "2 attempt(s)" in line and "timed out" in line and "closed by the server" not in line
