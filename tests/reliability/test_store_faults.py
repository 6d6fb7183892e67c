"""The database locked by another process, or read-only: a clear error, nothing corrupted."""
from __future__ import annotations

import sqlite3

from digest import db as store_mod, pipeline
from digest.config import load_settings

from ..conftest import SAMPLE


def test_locked_database_is_reported_and_nothing_is_lost(tmp_path, monkeypatch):
    settings = load_settings({"home": str(tmp_path)}, env={})
    store = pipeline.open_store(settings)
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_MS", 200)
    store = pipeline.open_store(settings)  # new connections use the short timeout
    db = settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
    try:
        report = pipeline.ingest(store, settings, [str(SAMPLE)], jobs=1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert report.ingested == [] and report.exit_code == 2
    failure = next(f for f in report.failures if f.stage == "store" and SAMPLE.name in f.path)
    assert "locked" in failure.message and "another process" in failure.hint
    again = pipeline.ingest(store, settings, [str(SAMPLE)], jobs=1)  # once free, it all goes in
    assert again.exit_code == 0 and len(again.ingested) == 1
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_read_only_database_is_reported(tmp_path):
    settings = load_settings({"home": str(tmp_path)}, env={})
    pipeline.open_store(settings)
    db = settings.database_url.removeprefix("sqlite:///")
    ro = load_settings({"home": str(tmp_path), "database_url": f"sqlite:///file:{db}?mode=ro&uri=true"}, env={})
    report = pipeline.ingest(pipeline.open_store(ro), ro, [str(SAMPLE)], jobs=1)
    assert report.exit_code == 2
    assert any(f.stage == "store" and "readonly" in f.message.replace("-", "").replace(" ", "").lower()
               for f in report.failures), report.failures
