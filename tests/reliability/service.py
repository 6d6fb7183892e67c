"""Real `digest` processes for the reliability tests: one-off commands and the `digest run` service.

Each test works in its own home (a tmp_path with inbox/, data/, outbox/); the environment is the
test's own (no DIGEST_* of the developer's shell). Issues are made from the shipped sample
(samples/2025-06-18) with their dateline and a marker changed, so each day is a distinct issue.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..conftest import REPO, SAMPLE


def base_env(home: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update({"DIGEST_HOME": str(home), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
                "DIGEST_JOBS": "1"})
    env.update({k: str(v) for k, v in settings.items()})
    return env


def smtp_env(port: int, recipients: tuple[str, ...] = (), **more: str) -> dict[str, str]:
    """Settings for a loopback SMTP server, quick retries, SMTP delivery on."""
    env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": "none",
           "DIGEST_FROM": "digest@example.org", "DIGEST_SMTP_TIMEOUT": "3", "DIGEST_SEND_RETRIES": "2",
           "DIGEST_DELIVER_SMTP": "true"}
    if recipients:
        env["DIGEST_TO"] = ",".join(recipients)
    env.update(more)
    return env


def digest(home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300,
           **settings: str) -> subprocess.CompletedProcess:
    """Run `digest ARGS` in `home` with the given DIGEST_* settings; the finished process."""
    full = base_env(home, **{**(env or {}), **settings})
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], env=full, cwd=home,
                          capture_output=True, text=True, timeout=timeout)


def issue_folder(root: Path, day: str, marker: str = "") -> Path:
    """inbox-style folder `root/DAY/` holding the sample's pages re-dated to DAY (a distinct issue)."""
    folder = root / day
    folder.mkdir(parents=True, exist_ok=True)
    month, dom = int(day[5:7]), int(day[8:10])
    for page in sorted(SAMPLE.glob("*.txt")):
        text = page.read_text(encoding="utf-8").replace("6月17日", f"{month}月{dom}日")
        (folder / page.name).write_text(text + f"\n本报{day}讯{marker}\n", encoding="utf-8")
    return folder


def status_json(home: Path, **settings: str) -> dict:
    res = digest(home, "status", "--json", **settings)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


class Service:
    """`digest run` as a real subprocess, its stderr in HOME/run.log."""

    def __init__(self, home: Path, env: dict[str, str], *args: str):
        self.home = home
        self.log_path = home / "run.log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "run", *args], env=base_env(home, **env),
                                     cwd=home, stdout=self.log, stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 60) -> float:
        """SIGTERM and wait; returns the seconds it took to exit (AssertionError if it did not)."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"`digest run` did not stop within {timeout}s after SIGTERM") from None
        self.log.close()
        return time.monotonic() - t0

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log.closed:
            self.log.close()


def copy_sample(home: Path) -> Path:
    inbox = home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(SAMPLE, inbox / SAMPLE.name))
