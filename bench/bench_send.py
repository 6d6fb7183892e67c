"""Sending one digest to N subscribers (default 2,000) through a loopback SMTP server.

    .venv/bin/python bench/bench_send.py [--subscribers 2000] [--database-url URL] [--rate 0]

The sample issue is ingested and its digest built in a temporary home; N subscribers are imported
from a CSV; then `digest send --json` runs in a fresh subprocess against an aiosmtpd server that
runs in ANOTHER process (so the server's work does not share the sender's interpreter). Reported:
messages per second of the whole send (claim, personalise, SMTP, record, per reader), the
sender's peak memory (max RSS of the `digest send` process), how many SMTP connections the server
saw (one is the point), and, separately, the cost of making one reader's message (MailMerge).
Every message is checked to carry a distinct token of its reader.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DIGEST = [sys.executable, "-m", "digest.cli"]

SERVER = r'''
import asyncio, json, sys, re
from aiosmtpd.controller import Controller
stats = {"connections": 0, "messages": 0, "tokens": set(), "bad": 0}
class H:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        stats["connections"] += 1
        session.host_name = hostname
        return responses
    async def handle_DATA(self, server, session, envelope):
        stats["messages"] += 1
        m = re.search(rb"/unsubscribe/([A-Za-z0-9_.-]+)>", envelope.original_content)
        if m and envelope.rcpt_tos[0].encode() in envelope.original_content:
            stats["tokens"].add(m.group(1))
        else:
            stats["bad"] += 1
        return "250 OK"
import socket
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
c = Controller(H(), hostname="127.0.0.1", port=port)
c.start()
print(port, flush=True)
sys.stdin.readline()
c.stop()
print(json.dumps({"connections": stats["connections"], "messages": stats["messages"],
                  "distinct_tokens": len(stats["tokens"]), "bad": stats["bad"]}), flush=True)
'''


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, **kw)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[2:])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def measured(cmd: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float, int]:
    """Run cmd; (result, seconds, its max RSS in KiB) — the child's own, via a tiny launcher."""
    launcher = ("import resource, subprocess, sys, time, json; t=time.perf_counter(); "
                "p=subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                "sys.stdout.write(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr, "
                "'s': time.perf_counter()-t, 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    done = subprocess.run([sys.executable, "-c", launcher, *cmd], env=env, capture_output=True, text=True)
    data = json.loads(done.stdout)
    return subprocess.CompletedProcess(cmd, data["rc"], data["out"], data["err"]), data["s"], data["rss"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subscribers", type=int, default=2000)
    ap.add_argument("--database-url", help="default: SQLite in the temporary home")
    ap.add_argument("--rate", type=float, default=0.0, help="DIGEST_SEND_RATE (0: no limit)")
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="digest-bench-send-"))
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}, "DIGEST_HOME": str(home),
           "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port), "DIGEST_SMTP_SECURITY": "none",
           "DIGEST_FROM": "digest@news.example.org", "DIGEST_WEB_URL": "https://news.example.org",
           "DIGEST_UNSUBSCRIBE": "mailto:unsubscribe@news.example.org", "DIGEST_SEND_RATE": str(args.rate),
           "DIGEST_LIST_ID": "liaocheng.news.example.org", "PYTHONPATH": str(REPO)}
    if args.database_url:
        env["DIGEST_DATABASE_URL"] = args.database_url
    try:
        run([*DIGEST, "ingest", str(REPO / "samples" / "2025-06-18"), "--jobs", "1"], env)
        run([*DIGEST, "build", "--date", "2025-06-18"], env)
        csv = home / "readers.csv"
        csv.write_text("email,name\n" + "".join(f"reader{i:05d}@mail{i % 50}.example.org,读者{i}\n"
                                                for i in range(args.subscribers)), encoding="utf-8")
        t0 = time.perf_counter()
        run([*DIGEST, "subscribers", "import", str(csv)], env)
        import_s = time.perf_counter() - t0
        done, seconds, rss = measured([*DIGEST, "send", "--json"], env)
        outcome = json.loads(done.stdout)["outcome"]
        sent = sum(1 for o in outcome.values() if o["status"] == "sent")
    finally:
        server.stdin.write("\n")
        server.stdin.flush()
        seen = json.loads(server.stdout.readline())
        server.wait(10)

    # the cost of one reader's message alone
    from digest.deliver import stamp_date
    from digest.config import load_settings
    from digest.mailmerge import MailMerge, personal_message
    from digest.store import Store
    from digest.tokens import Tokens
    from digest import subscribers as subs

    settings = load_settings({"home": str(home), "web_url": "https://news.example.org",
                              **({"database_url": args.database_url} if args.database_url else {})}, env={})
    store = Store(settings.database_url)
    row = store.digest_row(store.list_digests(limit=1)[0]["id"])
    merge = MailMerge(bytes(row["eml"]))
    tokens = Tokens.for_store(store, settings)
    readers = subs.list_subscribers(store, settings.publication, "active")[:500]
    t0 = time.perf_counter()
    for sub in readers:
        stamp_date(personal_message(settings, merge, tokens, sub.email, sub))
    per_message_ms = (time.perf_counter() - t0) / len(readers) * 1000

    print(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "PostgreSQL" if args.database_url else "SQLite (WAL)",
        "subscribers": args.subscribers, "sent": sent, "message_bytes": len(row["eml"]),
        "import_seconds": round(import_s, 2), "send_seconds": round(seconds, 2),
        "messages_per_second": round(sent / seconds, 1), "sender_max_rss_mib": round(rss / 1024, 1),
        "smtp_connections": seen["connections"], "server_messages": seen["messages"],
        "distinct_tokens": seen["distinct_tokens"], "messages_without_own_token": seen["bad"],
        "personalise_ms_per_message": round(per_message_ms, 3),
        "date": dt.date.today().isoformat()}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
