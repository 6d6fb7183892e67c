"""Times shown in DIGEST_TIMEZONE and labelled; guessed issue dates marked (issue 15 items 12 and 5)."""
from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo


from digest.display import date_is_guessed, local_time

from .conftest import SAMPLE

LOCAL = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d"


def test_local_time_converts_and_labels():
    utc = dt.datetime(2025, 3, 26, 23, 0)  # naive = UTC, as stored
    assert local_time(utc, ZoneInfo("Asia/Shanghai")) == "2025-03-27 07:00:00 +08:00"
    assert local_time(utc, ZoneInfo("America/New_York"), seconds=False) == "2025-03-26 19:00 -04:00"
    assert local_time(None, ZoneInfo("UTC")) == "-"


def test_guessed_rules():
    assert not any(date_is_guessed(r) for r in ("path", "option", "printed"))
    assert all(date_is_guessed(r) for r in ("guess", "mtime", "text", None))


def test_status_labels_every_time_and_lists_guessed_dates(run, tmp_path, monkeypatch):
    undated = tmp_path / "drop" / "page.txt"
    undated.parent.mkdir()
    undated.write_text("本报讯 6月17日，东昌府区召开会议，部署夏季防汛工作。会议要求各部门落实责任。\n", encoding="utf-8")
    assert run("ingest", str(SAMPLE)).exit_code == 0
    res = run("ingest", str(undated), "--json")
    rule = json.loads(res.stdout)["ingested"][0]["date_rule"]
    assert date_is_guessed(rule), rule
    (tmp_path / "bad.txt").write_bytes(b"")
    run("ingest", str(tmp_path / "bad.txt"))  # a recorded input failure (a time in the status)
    assert run("build", "--date", "2025-06-18").exit_code == 0

    out = run("status").stdout
    assert "times in Asia/Shanghai, UTC+08:00" in out
    stamped = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [+-]\d\d:\d\d)?", out)
    assert stamped and all(re.fullmatch(LOCAL, s) for s in stamped), stamped  # no time without its zone
    assert all(s.endswith("+08:00") for s in stamped)
    guessed = out[out.index("issues whose date is a guess"):].splitlines()
    assert "page.txt" in guessed[1] and f"(guessed: {rule})" in guessed[1]
    assert not any("2025-06-18/01.txt" in line for line in guessed[:3])  # a dated path is not a guess
    data = json.loads(run("status", "--json").stdout)
    assert data["timezone"] == "Asia/Shanghai"
    assert [g["sources"][0].endswith("page.txt") for g in data["guessed_dates"]] == [True]

    monkeypatch.setenv("DIGEST_TIMEZONE", "Europe/Berlin")
    out = run("status").stdout
    assert "times in Europe/Berlin, UTC+0" in out
    assert all(s[-6:] in ("+01:00", "+02:00") for s in re.findall(LOCAL, out))
