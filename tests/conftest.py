"""Shared fixtures. Tests that need ../shared skip with a reason when it is absent (a user's clone)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests search the same examples on every run of `make test` (a gate must not fail on a
# new random draw); HYPOTHESIS_PROFILE=explore searches afresh, to look for new failures.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "corpus" / "seeds_gold.json"
SAMPLE = REPO / "samples" / "2025-06-18"
ARTIFACTS = REPO / "tests" / "artifacts"

needs_shared = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared corpus not present (a user's clone); runs in CI")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No DIGEST_* setting of the developer's shell may leak into a test."""
    for key in list(os.environ):
        if key.startswith("DIGEST_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``run(*args, **kw)``: the `digest` CLI in-process (click's CliRunner) with ``--home tmp_path``,
    from tmp_path; keywords go to ``CliRunner.invoke`` (``input=``, ``env=`` …)."""
    from click.testing import CliRunner

    from digest.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(cli, ["--home", str(tmp_path), *args], catch_exceptions=False, **kw)

    return invoke


@pytest.fixture
def settings(tmp_path):
    from digest.config import load_settings

    return load_settings({"home": str(tmp_path)}, env={})


@pytest.fixture
def store(settings):
    from digest.store import Store

    return Store(settings.database_url)


# PostgreSQL on loopback for the tests that run on both engines (tests/pgserver.py)
from tests.pgserver import db_url, pg_server, pg_url  # noqa: E402,F401
