"""Subscribers in the database (SQLite and PostgreSQL): validation, statuses and their history,
CSV import/export, DIGEST_TO as a default list, and the tokens of the unsubscribe links."""
from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from digest import subscribers as subs
from digest.cli import cli
from digest.store import Store
from digest.tokens import BadToken, Tokens, secret_key, subscriber_for

PUB = "聊城日报"


@pytest.fixture
def store(db_url):
    return Store(db_url)


def test_addresses_are_validated_offline_and_normalised():
    assert subs.normalise("  Reader@Example.ORG ") == "Reader@example.org"
    assert subs.normalise("x@münchen.de") == "x@xn--mnchen-3ya.de"  # IDN domain as ASCII
    for bad, why in [("a@b", "period"), ("Name <a@b.org>", "display name"), ("a..b@x.org", "two periods"),
                     ("张三@example.org", "Internationalized"), ("", "")]:
        with pytest.raises(subs.InvalidAddress) as exc:
            subs.normalise(bad)
        assert why in exc.value.reason


def test_add_keeps_one_row_per_address_whatever_its_case(store):
    sub, what = subs.add(store, PUB, "Reader@Example.org", name="读者")
    assert what == "added" and sub.status == "active" and sub.email == "Reader@example.org"
    again, what = subs.add(store, PUB, "reader@EXAMPLE.org")
    assert what == "unchanged" and again.id == sub.id
    other, _ = subs.add(store, "大众日报", "reader@example.org")  # per publication
    assert other.id != sub.id
    assert subs.counts(store, PUB) == {"pending": 0, "active": 1, "unsubscribed": 0, "bounced": 0}


def test_leaving_is_kept_with_date_and_source_and_not_undone_by_an_import(store):
    sub, _ = subs.add(store, PUB, "a@example.org", source="cli")
    subs.set_status(store, sub, "unsubscribed", "one-click", "List-Unsubscribe-Post")
    report = subs.import_csv(store, PUB, io.StringIO("email\na@example.org\nb@example.org\n"), source="import:x.csv")
    assert report.added == ["b@example.org"] and report.kept_out == [("a@example.org", "unsubscribed")]
    assert subs.get(store, PUB, "a@example.org").status == "unsubscribed"
    history = subs.events(store, sub.id)
    assert [(e["status"], e["source"]) for e in history] == [("active", "cli"), ("unsubscribed", "one-click")]
    assert all(e["at"] is not None for e in history)
    back, what = subs.add(store, PUB, "a@example.org", resubscribe=True, source="phone call")
    assert what == "reactivated" and back.status == "active"
    assert subs.events(store, sub.id)[-1]["source"] == "phone call"


def test_csv_import_reports_bad_rows_and_round_trips_through_export(store):
    text = ("\ufeff邮箱,姓名,status\n"
            "one@example.org,张三,\n"
            "not-an-address,李四,\n"
            "two@example.org,,bounced\n"
            "# a comment\n"
            "three@example.org,王五,weird\n"
            "\n"
            "four@example.org,,unsubscribed\n")
    report = subs.import_csv(store, PUB, io.StringIO(text))
    assert report.added == ["one@example.org"]
    assert sorted(report.kept_out) == [("four@example.org", "unsubscribed"), ("two@example.org", "bounced")]
    assert [(w, a) for w, a, _ in report.invalid] == [("line 6", "three@example.org"), ("line 3", "not-an-address")]
    out = io.StringIO()
    assert subs.export_csv(store, PUB, out) == 3
    rows = out.getvalue().splitlines()
    assert rows[0] == "email,name,status,source,created_at,updated_at"
    assert rows[1].startswith("one@example.org,张三,active,import,")
    again = subs.import_csv(store, "大众日报", io.StringIO(out.getvalue()))  # another publication
    assert again.added == ["one@example.org"] and len(again.kept_out) == 2 and not again.invalid
    assert subs.counts(store, "大众日报") == subs.counts(store, PUB)


def test_headerless_csv_takes_the_first_column(store):
    report = subs.import_csv(store, PUB, io.StringIO("x@example.org;小明\ny@example.org\n"))
    assert report.added == ["x@example.org", "y@example.org"]
    assert subs.get(store, PUB, "x@example.org").name == "小明"


def test_default_list_joins_the_subscribers_but_never_brings_back_a_reader_who_left(store):
    found = subs.recipients(store, PUB, ["editor@example.org", "reader@example.org"])
    assert [s.email for s in found] == ["editor@example.org", "reader@example.org"]
    assert {s.source for s in found} == {"DIGEST_TO"}
    subs.set_status(store, found[1], "unsubscribed", "web")
    assert [s.email for s in subs.recipients(store, PUB, ["editor@example.org", "reader@example.org"])] == \
        ["editor@example.org"]


def test_tokens_name_one_subscriber_and_refuse_forgery(store):
    a, _ = subs.add(store, PUB, "a@example.org")
    b, _ = subs.add(store, PUB, "b@example.org")
    tokens = Tokens.for_store(store)
    ta, tb = tokens.unsubscribe(a), tokens.unsubscribe(b)
    assert ta != tb and "a@example.org" not in ta and "example" not in ta
    assert subscriber_for(store, *tokens.read_unsubscribe(ta)).id == a.id
    assert secret_key(store) == secret_key(Store(store.url))  # one key per database, kept
    forged = [ta[:-2] + ("AA" if not ta.endswith("AA") else "BB"),  # signature altered
              tb.split(".")[0] + "." + ta.split(".")[1],  # b's payload with a's signature
              Tokens("another key").unsubscribe(a),  # signed with another key
              tokens.confirm(a),  # a confirmation token is not an unsubscribe token
              "", "not-a-token"]
    for token in forged:
        with pytest.raises(BadToken):
            tokens.read_unsubscribe(token)
    subs.forget(store, a)  # gone: the token names nobody, even if a new row takes the id
    with pytest.raises(BadToken):
        subscriber_for(store, *tokens.read_unsubscribe(ta))


def test_cli_add_remove_list_import_export(tmp_path):
    home = ["--home", str(tmp_path)]
    run = CliRunner().invoke
    res = run(cli, [*home, "subscribers", "add", "a@example.org", "bad@", "--json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert data["added"] == ["a@example.org"] and data["invalid"][0]["address"] == "bad@"
    csv_file = tmp_path / "readers.csv"
    csv_file.write_text("email,name\nb@example.org,乙\nc@example.org,丙\n", encoding="utf-8")
    res = run(cli, [*home, "subscribers", "import", str(csv_file)])
    assert res.exit_code == 0 and "2 added" in res.output
    res = run(cli, [*home, "subscribers", "remove", "b@example.org", "nobody@example.org"])
    assert res.exit_code == 1 and "b@example.org: unsubscribed" in res.output
    res = run(cli, [*home, "subscribers", "add", "b@example.org"])
    assert res.exit_code == 2 and "--resubscribe" in res.output
    res = run(cli, [*home, "subscribers", "list", "--json", "--history"])
    listed = json.loads(res.stdout)
    assert listed["counts"]["active"] == 2 and listed["counts"]["unsubscribed"] == 1
    b = next(s for s in listed["subscribers"] if s["email"] == "b@example.org")
    assert [h["status"] for h in b["history"]] == ["active", "unsubscribed"]
    assert "token" not in json.dumps(listed)
    res = run(cli, [*home, "subscribers", "export", "--status", "active"])
    assert res.stdout.splitlines()[1:] == [line for line in res.stdout.splitlines()[1:] if ",active," in line]
    assert len(res.stdout.splitlines()) == 3
    res = run(cli, [*home, "subscribers", "remove", "--forget", "c@example.org"])
    assert res.exit_code == 0 and "deleted" in res.output
    for sub in ("add", "remove", "list", "import", "export"):
        assert run(cli, ["subscribers", sub, "--help"]).exit_code == 0
