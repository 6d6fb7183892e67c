"""What the guarded input side costs (figures in BENCHMARKS.md).

    .venv/bin/python bench/bench_inputs.py [--issues 2000]

Builds an inbox of ISSUES dated folders of 4 small text pages each, half of them in a paper folder
(inbox/大众日报/2020-01-01/01.txt), in a temporary folder, then measures on one core:

1. discovery + reading (digest.ingest.discover + read_issue: every folder listed through
   digest.inputs.scan, every page opened through the guarded open, decoded): files per second;
2. one poll of the inbox watcher of `digest run` (InboxWatcher.poll: the entries, then the same
   guarded walk for each, statting every page): seconds for the whole inbox.

Both are medians of 3. Segmenting and summarising, which dominate a real ingest, are left out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from run import timed  # noqa: E402

PAGE = ("## 标题\n\n本报讯 " + "这是一段正文，内容平常。" * 40 + "\n").encode()


def make_inbox(root: Path, issues: int) -> int:
    files = 0
    for d in range(issues):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=d)
        folder = root / ("大众日报" if d % 2 else "") / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for p in range(1, 5):
            (folder / f"{p:02d}.txt").write_bytes(PAGE + str(d * 10 + p).encode())
            files += 1
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--issues", type=int, default=2000, help="dated issue folders of 4 pages each")
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from digest import ingest
    from digest.scheduler import InboxWatcher

    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        files = make_inbox(inbox, args.issues)

        def read_all() -> None:
            for item in ingest.discover([inbox], inbox=inbox):
                if not hasattr(item, "files"):
                    raise SystemExit(f"unexpected failure: {item}")
                ingest.read_issue(item, ingest.publication_for(item, None, "聊城日报"), None, 10**7)

        read_s = timed(read_all, 3)
        poll_s = timed(lambda: InboxWatcher().poll(inbox), 3)
    res = {"issues": args.issues, "files": files,
           "discover_and_read_s": round(read_s, 2), "files_per_s": round(files / read_s),
           "watcher_poll_s": round(poll_s, 2)}
    print(json.dumps(res, indent=1))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "inputs.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
