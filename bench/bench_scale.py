"""Scale benchmarks (issue 18). Figures go to BENCHMARKS.md.

    .venv/bin/python bench/bench_scale.py                     # 10 years x 5 papers, queue 60 issues
    .venv/bin/python bench/bench_scale.py --years 1 --queue-issues 20   # a quick subset

1. A store of YEARS x PAPERS daily issues (PER_DAY articles each, summaries and MinHash signatures
   included) written through Store.save_issue on SQLite and on PostgreSQL, then, in-process and
   medians of 5: planning the next range, the archive (summary + a page of 200 issues, first and
   deep), and digests of one paper for a day, a week, a month and a year (make_digest: SQL + rank).
   Articles are drawn from a pool of sentences recombined at random (distinct text) with a pool of
   2,000 signatures, so a year's digest folds some repeats as real archives do.
2. Queued ingest on PostgreSQL: QUEUE_ISSUES two-page issues (bench/run.py's archive) queued with
   `digest ingest --queue`, then drained by 1, 2 and 3 `digest worker --drain` processes, each in
   its own home (wall time from the first worker's start to the last one's exit).

PostgreSQL is the throw-away loopback cluster of tests/pgserver.py (fsync off: a benchmark of the
queries and of the work, not of the disk); SQLite is a file in a temporary folder (WAL).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from run import make_archive, source_pages, timed  # noqa: E402

PAPERS = ["聊城日报", "齐鲁晚报", "大众日报", "济南日报", "烟台日报"]


def fill_store(url: str, years: int, papers: int, per_day: int, start: dt.date) -> dict:
    from digest.models import Article, Issue, Page, Summary
    from digest.rank import signature
    from digest.store import Store

    rng = random.Random(18)
    texts = source_pages()
    sentences = [x + "。" for text in texts for x in text.replace("\n", "").split("。") if 15 <= len(x) <= 80]
    words = sorted({w for x in sentences for w in (x[i:i + 2] for i in range(0, len(x) - 1, 7))})
    bodies = ["".join(rng.sample(sentences, 6)) for _ in range(2000)]
    sigs = [signature(b) for b in bodies]
    store = Store(url)
    days = 365 * years
    t0 = time.perf_counter()
    n = 0
    for d in range(days):
        day = start + dt.timedelta(days=d)
        for p in range(papers):
            pub = PAPERS[p % len(PAPERS)]
            items = []
            for k in range(per_day):
                b = rng.randrange(len(bodies))
                body = bodies[b] + rng.choice(sentences)
                art = Article(title=rng.choice(sentences)[:14], byline="记者", kind="news", paragraphs=(body,),
                              position=k % 4, page=1 + k // 4)
                items.append((art, Summary(tuple(rng.sample(sentences, 2)), tuple(rng.sample(words, 5)), "bench"),
                              f"{pub}-{d}-{k}", sigs[b]))
            page = Page(f"inbox/{pub}/{day}/01.txt", 1, "", f"{pub}{d}", "utf-8")
            store.save_issue(Issue(pub, day, "path", (page,), f"{pub}-{d}"), items)
            n += 1
    write_s = time.perf_counter() - t0
    # a digest per month for the first years of every paper (what a running service leaves behind)
    for p in range(papers):
        pub = PAPERS[p % len(PAPERS)]
        month = start
        while month < start + dt.timedelta(days=days - 60):
            nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            store.save_digest(publication=pub, start_date=month, end_date=nxt - dt.timedelta(days=1), subject="s",
                              message_id=f"<{pub}-{month}@bench>", article_count=1, content_hash=f"{pub}{month}",
                              eml=b"x")
            month = nxt
    return {"issues": n, "articles": n * per_day, "write_s": round(write_s, 1),
            "issues_per_s": round(n / write_s, 1)}


def measure_store(url: str, start: dt.date, years: int) -> dict:
    from digest import pipeline
    from digest.config import load_settings
    from digest.display import PRINTED_RULES
    from digest.scheduler import plan_range
    from digest.store import Store

    store = Store(url)
    settings = load_settings({"home": tempfile.mkdtemp(prefix="bench-home-"), "database_url": url}, env={})
    last = start + dt.timedelta(days=365 * years - 1)
    pub = PAPERS[0]
    out = {
        "plan_range_s": timed(lambda: plan_range(store, settings, last + dt.timedelta(days=1)), 5),
        "first_uncovered_s": timed(lambda: store.first_uncovered_date(pub), 5),
        "archive_summary_s": timed(lambda: store.archive_summary(PRINTED_RULES), 5),
        "archive_page1_s": timed(lambda: store.list_issues(limit=200), 5),
        "archive_page50_s": timed(lambda: store.list_issues(limit=200, offset=200 * 49), 5),
        "all_issues_of_a_paper_s": timed(lambda: store.list_issues(pub), 3),  # the old plan_range load
    }
    for label, days in (("day", 1), ("week", 7), ("month", 30), ("year", 365)):
        first = last - dt.timedelta(days=days - 1)
        digest = pipeline.make_digest(store, settings, first, last, pub)
        out[f"digest_{label}_s"] = timed(lambda: pipeline.make_digest(store, settings, first, last, pub),
                                          3 if days == 365 else 5)
        out[f"digest_{label}_articles"] = digest.article_count
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def digest_env(home: Path, url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(DIGEST_HOME=str(home), DIGEST_DATABASE_URL=url, PYTHONPATH=str(REPO))
    home.mkdir(parents=True, exist_ok=True)
    return env


def queue_throughput(server, archive: Path, workers: int) -> dict:
    url = server.create_database()
    try:
        home = Path(tempfile.mkdtemp(prefix="bench-q-"))
        cmd = [sys.executable, "-m", "digest.cli"]
        t0 = time.perf_counter()
        q = subprocess.run(cmd + ["ingest", "--queue", str(archive), "--json"], env=digest_env(home / "q", url),
                           capture_output=True, text=True)
        enqueue_s = time.perf_counter() - t0
        queued = len(json.loads(q.stdout)["queued"])
        t0 = time.perf_counter()
        procs = [subprocess.Popen(cmd + ["worker", "--drain", "--json"], env=digest_env(home / f"w{i}", url),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for i in range(workers)]
        done = sum(json.loads(p.communicate()[0])["done"] for p in procs)
        wall = time.perf_counter() - t0
        shutil.rmtree(home, ignore_errors=True)
        return {"workers": workers, "issues": queued, "done": done, "enqueue_s": round(enqueue_s, 2),
                "wall_s": round(wall, 2), "issues_per_s": round(done / wall, 2)}
    finally:
        server.drop_database(url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--papers", type=int, default=5)
    ap.add_argument("--per-day", type=int, default=8, help="articles per issue")
    ap.add_argument("--queue-issues", type=int, default=60)
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "scale.json")
    args = ap.parse_args()
    from tests.pgserver import PgServer, _bindir

    server = PgServer(_bindir()).start()
    results: dict = {"years": args.years, "papers": args.papers, "per_day": args.per_day}
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        start = dt.date(2015, 1, 1)
        for engine in args.engines.split(","):
            url = f"sqlite:///{tmp / 'scale.db'}" if engine == "sqlite" else server.create_database()
            print(f"{engine}: writing {args.years} years x {args.papers} papers ...", file=sys.stderr, flush=True)
            results[engine] = {"store": fill_store(url, args.years, args.papers, args.per_day, start)}
            results[engine]["queries"] = measure_store(url, start, args.years)
            print(json.dumps(results[engine], ensure_ascii=False), file=sys.stderr, flush=True)
        archive = make_archive(tmp / "archive", args.queue_issues, source_pages())
        results["queue"] = []
        for k in ((1, 2, 3) if args.queue_issues else ()):
            print(f"queue: {k} worker(s) ...", file=sys.stderr, flush=True)
            results["queue"].append(queue_throughput(server, archive, k))
            print(json.dumps(results["queue"][-1]), file=sys.stderr, flush=True)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
