import datetime as dt

import pytest
import sqlalchemy as sa

from digest.errors import StoreError
from digest.models import Article, Issue, Page, Summary
from digest.store import SCHEMA_VERSION, Store


def _issue(text="正文", day=dt.date(2025, 6, 18), source="inbox/2025-06-18/01.txt", h="h1"):
    page = Page(source=source, number=1, text=text, sha256=h + "p", encoding="utf-8")
    return Issue(publication="聊城日报", date=day, date_rule="path", pages=(page,), content_hash=h)


def _items(n=2):
    return [(Article(title=f"标题{i}", byline="张三", kind="news", paragraphs=(f"第{i}篇第一段。", "第二段。"), position=i),
             Summary((f"第{i}篇第一段。",), ("关键词",)), f"hash{i}") for i in range(n)]


@pytest.fixture
def store(db_url):
    """Every test here runs on SQLite and on a real PostgreSQL server (tests/pgserver.py)."""
    return Store(db_url)


def test_schema_is_created_and_versioned(db_url):
    s = Store(db_url)
    assert s.schema_version() == SCHEMA_VERSION
    Store(db_url)  # opening again migrates nothing and does not fail
    assert s.schema_version() == SCHEMA_VERSION


def test_newer_schema_is_refused(db_url):
    s = Store(db_url)
    with s.engine.begin() as conn:
        conn.execute(sa.text("UPDATE digest_meta SET value='999' WHERE key='schema_version'"))
    with pytest.raises(StoreError, match="newer"):
        Store(db_url)
    with pytest.raises(StoreError, match="newer"):
        Store(db_url, migrate=False)


def test_issue_round_trip(store):
    issue_id = store.save_issue(_issue(), _items())
    assert store.issue_id_by_hash("h1") == issue_id
    arts = store.articles_between(dt.date(2025, 6, 18), dt.date(2025, 6, 18))
    assert [a.article.title for a in arts] == ["标题0", "标题1"]
    assert arts[0].article.paragraphs == ("第0篇第一段。", "第二段。")
    assert arts[0].summary.sentences == ("第0篇第一段。",) and arts[0].summary.keywords == ("关键词",)
    assert store.article(arts[1].id).article.title == "标题1"
    assert store.date_bounds() == (dt.date(2025, 6, 18), dt.date(2025, 6, 18))
    assert store.list_issues()[0]["articles"] == 2


def test_new_version_supersedes_old(store):
    store.save_issue(_issue(h="v1"), _items(2))
    store.save_issue(_issue(text="改过的正文", h="v2"), _items(1))
    issues = store.list_issues()
    assert len(issues) == 1 and issues[0]["version"] == 2
    assert len(store.articles_between(dt.date(2025, 6, 18), dt.date(2025, 6, 18))) == 1


def test_failed_issue_write_leaves_nothing(store):
    bad = _items(1) + [(Article(title=None, byline=None, kind=None, paragraphs=("x",)), Summary(()), "h")]  # kind NOT NULL
    with pytest.raises(Exception):
        store.save_issue(_issue(h="bad"), bad)
    assert store.list_issues() == []
    assert store.issue_id_by_hash("bad") is None


def test_delivery_state_machine(store):
    did = store.save_digest(publication="p", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 1, 1),
                            subject="s", message_id="<1@x>", eml_path="a", html_path="b", text_path="c",
                            article_count=1, content_hash="c")
    store.queue_deliveries(did, ["a@x.test", "b@x.test", "a@x.test"])
    store.queue_deliveries(did, ["a@x.test"])  # queuing again adds nothing
    assert [d["recipient"] for d in store.deliveries(did)] == ["a@x.test", "b@x.test"]
    assert store.claim_delivery(did, "a@x.test")
    assert not store.claim_delivery(did, "a@x.test")  # already being sent
    store.finish_delivery(did, "a@x.test", "sent", "250 OK")
    assert not store.claim_delivery(did, "a@x.test")  # never twice
    assert store.claim_delivery(did, "b@x.test")
    store.finish_delivery(did, "b@x.test", "queued", "451 try later")
    assert store.claim_delivery(did, "b@x.test")  # a temporary failure can be retried
    rows = {d["recipient"]: d for d in store.deliveries(did)}
    assert rows["a@x.test"]["status"] == "sent" and rows["a@x.test"]["sent_at"] is not None
    assert rows["b@x.test"]["attempts"] == 2
    assert store.last_sent_digest("p")["id"] == did


def test_read_only_database_gives_clear_error(tmp_path):
    db = tmp_path / "ro.db"
    Store(f"sqlite:///{db}")
    ro = Store(f"sqlite:///file:{db}?mode=ro&uri=true")
    with pytest.raises(StoreError) as err:
        ro.record_failures([__import__("digest.models", fromlist=["Failure"]).Failure("x", "read", "m")])
    assert "database" in str(err.value) and err.value.hint


def test_old_schema_is_migrated_in_place(db_url):
    """A version-1 database (no deliveries.claimed_by, no articles.minhash) is upgraded, data kept."""
    s = Store(db_url)
    s.save_issue(_issue(h="old"), _items(1))
    with s.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE deliveries DROP COLUMN claimed_by"))
        conn.execute(sa.text("ALTER TABLE articles DROP COLUMN minhash"))
        conn.execute(sa.text("UPDATE digest_meta SET value='1' WHERE key='schema_version'"))
    upgraded = Store(db_url)
    assert upgraded.schema_version() == SCHEMA_VERSION
    cols = {t: {c["name"] for c in sa.inspect(upgraded.engine).get_columns(t)} for t in ("deliveries", "articles")}
    assert "claimed_by" in cols["deliveries"] and "minhash" in cols["articles"]
    assert [a.article.title for a in upgraded.articles_between(dt.date(2025, 6, 18), dt.date(2025, 6, 18))] == ["标题0"]


def test_scale_queries_page_and_aggregate_in_sql(store):
    """Planning a range and the archive ask the database for aggregates and pages, not whole tables."""
    for d in range(1, 8):
        day = dt.date(2025, 6, d)
        rule = "guess" if d == 3 else "path"
        issue = _issue(day=day, h=f"d{d}", source=f"inbox/{day}/01.txt")
        store.save_issue(Issue(issue.publication, day, rule, issue.pages, issue.content_hash), _items(d % 3 + 1))
    page1, page2 = store.list_issues(limit=3), store.list_issues(limit=3, offset=3)
    assert [i["issue_date"].day for i in page1 + page2] == [7, 6, 5, 4, 3, 2]
    assert [i["articles"] for i in page1] == [2, 1, 3]
    assert store.issue_row(page1[0]["id"])["articles"] == 2 and store.issue_row(10**9) is None
    summary = store.archive_summary({"path", "option", "printed"})["聊城日报"]
    assert summary == {"issues": 7, "first": dt.date(2025, 6, 1), "last": dt.date(2025, 6, 7), "guessed": 1}
    assert [i["issue_date"].day for i in store.list_issues(exclude_rules={"path"})] == [3]
    assert [i["issue_date"].day for i in store.list_issues(start=dt.date(2025, 6, 2), end=dt.date(2025, 6, 3))] == [3, 2]
    assert store.first_uncovered_date("聊城日报") == dt.date(2025, 6, 1)
    for a, b in ((1, 2), (4, 4)):
        store.save_digest(publication="聊城日报", start_date=dt.date(2025, 6, a), end_date=dt.date(2025, 6, b),
                          subject="s", message_id=f"<{a}@x>", article_count=1, content_hash=f"c{a}", eml=b"x")
    assert store.first_uncovered_date("聊城日报") == dt.date(2025, 6, 3)
    assert store.last_built_digest("聊城日报")["end_date"] == dt.date(2025, 6, 4)
    assert store.covered_ranges("聊城日报") == [(dt.date(2025, 6, 1), dt.date(2025, 6, 2)), (dt.date(2025, 6, 4),) * 2]
