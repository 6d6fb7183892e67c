"""Two writers at once, on SQLite and on a real PostgreSQL server: the database, not luck, keeps
one issue per content, one live version per issue, one live digest per range, and claims that
expire. Threads share nothing but the database (each has its own Store and connections)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from digest.models import Article, Issue, Page, Summary
from digest.schema import deliveries, digests, issues
from digest.store import AlreadyStored, Store

DAY = dt.date(2025, 6, 18)


def _issue(h: str, source: str = "inbox/2025-06-18/01.txt", day=DAY) -> Issue:
    page = Page(source=source, number=1, text="正文" + h, sha256=h + "p", encoding="utf-8")
    return Issue(publication="聊城日报", date=day, date_rule="path", pages=(page,), content_hash=h)


def _items(n: int = 2):
    return [(Article(title=f"标题{i}", byline=None, kind="news", paragraphs=(f"第{i}段。",), position=i),
             Summary((f"第{i}段。",), ("词",)), f"a{i}") for i in range(n)]


def at_once(n: int, fn):
    """Run fn(i) in n threads released together; returns results or exceptions in order."""
    barrier, out = threading.Barrier(n), [None] * n

    def body(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            out[i] = exc
    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_same_issue_stored_at_once_is_stored_once(db_url):
    Store(db_url)  # schema first; each thread then opens its own store
    results = at_once(4, lambda i: Store(db_url).save_issue(_issue("same"), _items()))
    ids = [r for r in results if isinstance(r, int)]
    others = [r for r in results if not isinstance(r, int)]
    assert len(ids) == 1, results
    assert all(isinstance(r, AlreadyStored) and r.issue_id == ids[0] for r in others), results
    store = Store(db_url)
    assert len(store.list_issues()) == 1 and store.list_issues()[0]["articles"] == 2


def test_corrections_stored_at_once_leave_one_live_version(db_url):
    store = Store(db_url)
    store.save_issue(_issue("v1"), _items())
    results = at_once(3, lambda i: Store(db_url).save_issue(_issue(f"v{i + 2}"), _items(1)))
    assert all(isinstance(r, int) for r in results), results
    live = store.list_issues()
    assert len(live) == 1 and live[0]["version"] == 4, live
    with store.engine.connect() as conn:
        versions = sorted(conn.execute(sa.select(issues.c.version)).scalars())
    assert versions == [1, 2, 3, 4]
    store.save_issue(_issue("v5"), _items(1))  # and a later one still replaces it
    assert [i["version"] for i in store.list_issues()] == [5]


def test_database_refuses_a_second_live_version(db_url):
    store = Store(db_url)
    store.save_issue(_issue("x1"), _items(1))
    row = {c: v for c, v in store.list_issues()[0].items() if c in issues.c and c != "id"}
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.insert(issues).values({**row, "content_hash": "x2", "sources": "[]"}))


def test_one_live_digest_per_range_even_when_built_at_once(db_url):
    Store(db_url)
    values = dict(publication="p", start_date=DAY, end_date=DAY, subject="s", article_count=1,
                  content_hash="c1", eml=b"bytes")
    results = at_once(4, lambda i: Store(db_url).record_digest(**values, message_id=f"<m{i}@x>"))
    assert len({r[0] for r in results}) == 1, results  # every builder got the same digest
    assert sorted(r[1] for r in results) == [False, True, True, True]
    store = Store(db_url)
    with pytest.raises(IntegrityError):  # and the database itself refuses a second live row
        with store.engine.begin() as conn:
            conn.execute(sa.insert(digests).values(**{**values, "message_id": "<other@x>"}, eml_path="",
                                                   html_path="", text_path="", built_at=dt.datetime(2025, 1, 1)))


def test_rebuild_with_earlier_content_reuses_its_record(db_url):
    """Issue 15 item 1: A, then B (other DIGEST_BASE_URL), then A again gave an IntegrityError on
    digests.message_id; now the record of A is made live again, Message-ID and all."""
    store = Store(db_url)
    common = dict(publication="p", start_date=DAY, end_date=DAY, subject="s", article_count=1)
    a, reused = store.record_digest(**common, content_hash="A", message_id="<a@x>", eml=b"A")
    assert not reused
    b, _ = store.record_digest(**common, content_hash="B", message_id="<b@x>", eml=b"B")
    again, reused = store.record_digest(**common, content_hash="A", message_id="<a2@x>", eml=b"A2")
    assert again == a and reused
    assert store.find_digest("p", DAY, DAY)["id"] == a
    assert store.digest_row(a)["message_id"] == "<a@x>" and store.digest_row(b)["superseded"]


def test_claim_of_another_host_expires_by_lease(db_url):
    """Issue 17 item 6: a `sending` claim by another host (or a reused pid) was skipped forever."""
    store = Store(db_url)
    did = store.save_digest(publication="p", start_date=DAY, end_date=DAY, subject="s", message_id="<c@x>",
                            article_count=1, content_hash="c", eml=b"x")
    store.queue_deliveries(did, ["a@x.test"])
    past = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=5)
    with store.engine.begin() as conn:
        conn.execute(sa.update(deliveries).values(status="sending", claimed_by="other-host:1",
                                                  lease_until=past + dt.timedelta(hours=1)))
    assert not store.claim_delivery(did, "a@x.test")  # live lease: another host may be sending
    ok, why = store.requeue_delivery(did, "a@x.test")
    assert not ok and "other-host:1" in why and "lease" in why
    note = store.pending_deliveries()[0]["state_note"]
    assert "being sent by other-host:1" in note and "lease until" in note
    with store.engine.begin() as conn:
        conn.execute(sa.update(deliveries).values(lease_until=past))
    assert "lease expired" in store.pending_deliveries()[0]["state_note"]
    assert store.claim_delivery(did, "a@x.test")  # expired: taken over
    row = store.deliveries(did)[0]
    assert row["status"] == "sending" and row["claimed_by"] != "other-host:1" and row["lease_until"] > past


def test_requeue_releases_an_expired_claim(db_url):
    store = Store(db_url)
    did = store.save_digest(publication="p", start_date=DAY, end_date=DAY, subject="s", message_id="<r@x>",
                            article_count=1, content_hash="c", eml=b"x")
    store.queue_deliveries(did, ["a@x.test"])
    assert store.claim_delivery(did, "a@x.test", lease_seconds=1)
    assert not store.requeue_delivery(did, "a@x.test")[0]  # our own live claim
    with store.engine.begin() as conn:
        conn.execute(sa.update(deliveries).values(
            lease_until=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(seconds=1)))
    assert store.requeue_delivery(did, "a@x.test") == (True, "")
    assert store.deliveries(did)[0]["status"] == "queued"


def test_a_claim_is_renewed_while_its_sender_retries(db_url):
    store = Store(db_url)
    did = store.save_digest(publication="p", start_date=DAY, end_date=DAY, subject="s", message_id="<n@x>",
                            article_count=1, content_hash="c", eml=b"x")
    store.queue_deliveries(did, ["a@x.test"])
    assert store.claim_delivery(did, "a@x.test", lease_seconds=1)
    first = store.deliveries(did)[0]["lease_until"]
    assert store.renew_claim(did, "a@x.test", lease_seconds=600)
    assert store.deliveries(did)[0]["lease_until"] > first + dt.timedelta(seconds=500)
    with store.engine.begin() as conn:  # taken over by another host: no longer ours to renew
        conn.execute(sa.update(deliveries).values(claimed_by="other-host:7"))
    assert not store.renew_claim(did, "a@x.test")
