"""Benchmarks for digest (figures go to BENCHMARKS.md). Run: .venv/bin/python bench/run.py [--sizes 1,30,365,3650]

Builds a synthetic archive by recombining the pages of ../shared/corpus/seeds/ (when present) and
the sample issue in samples/ into many dated issues, then reports medians over repeated runs of:
 1. jieba POS tagging alone over the articles' text (the floor TextRank cannot beat)
 2. clean + segment + summarise, per article and per issue
 3. `digest ingest` of the archive on 1 process and on all cores
 4. building a digest from the store for 1 day, 1 week, 1 month, 1 year
 5. rendering + inlining one digest, and a cold `digest build --date D` end to end
 6. peak memory (max RSS) of each command and its workers, measured by a small launcher process
Every command-level figure runs the real CLI in a fresh subprocess.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"
DIGEST = [sys.executable, "-m", "digest.cli"]
START = dt.date(2015, 1, 1)


def source_pages() -> list[str]:
    pages = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] if SEEDS.is_dir() else []
    pages += [p.read_text(encoding="utf-8") for p in sorted((REPO / "samples").rglob("*.txt"))]
    return pages


def make_archive(root: Path, n: int, pages: list[str], per_issue: int = 2) -> Path:
    """n dated issue folders; each page is a source page with its blank-line blocks rotated and a unique note."""
    rng = random.Random(n)
    root.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        day = START + dt.timedelta(days=k)
        folder = root / day.isoformat()
        folder.mkdir()
        for j in range(per_issue):
            text = pages[(k * per_issue + j) % len(pages)]
            blocks = text.split("\n\n")
            cut = rng.randrange(len(blocks)) if k >= len(pages) else 0
            blocks = blocks[cut:] + blocks[:cut]
            blocks.append(f"（本期编号 {k}-{j}，{day.month}月{day.day}日出版。）")
            (folder / f"{j + 1:02d}.txt").write_text("\n\n".join(blocks), encoding="utf-8")
    return root


# The command runs under a small launcher that reports its wall time and the peak RSS of it and
# its workers. Measuring from here would be wrong: Linux carries a parent's RSS high-water mark
# into a forked child across exec, so every child of this (jieba-loaded) process would report at
# least this process's size.
LAUNCHER = ("import resource,subprocess,sys,time;t=time.perf_counter();r=subprocess.call(sys.argv[1:]);"
            "print(time.perf_counter()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,file=sys.stderr);"
            "sys.exit(r)")


def run_cmd(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak RSS in MB of that process and its workers, stdout)."""
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, *args], env=env, cwd=REPO, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    secs, rss_kb = proc.stderr.strip().splitlines()[-1].split()
    return float(secs), int(rss_kb) / 1024, proc.stdout


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_text(pages: list[str], repeat: int) -> dict:
    from digest import nlp
    from digest.models import Article
    from digest.pipeline import analyse_page_text
    from digest.summarize import summarize_article

    nlp.init(REPO / "data")
    articles = [a for text in pages for a in analyse_page_text(text).articles if a.duplicate_of is None]
    texts = [a.body for a in articles]
    pos = timed(lambda: [nlp.pos_tag(t) for t in texts], repeat)
    summ = timed(lambda: [summarize_article(a, max_sentences=3, max_chars=150) for a in articles], repeat)
    seg = timed(lambda: [analyse_page_text(t) for t in pages], repeat)
    # one article of 2,000 sentences: ranking is capped, so this must not blow up quadratically
    prose = [x + "。" for text in pages for x in text.replace("\n", "").split("。") if 15 <= len(x) <= 80]
    long_body = tuple("".join(prose[(i + k) % len(prose)] for k in range(20)) for i in range(0, 2000, 20))
    long_article = Article(title="长文", byline="", kind="news", paragraphs=long_body, position=0)
    long_s = timed(lambda: summarize_article(long_article, max_sentences=3, max_chars=150), repeat)
    return {"articles": len(articles), "chars": sum(map(len, texts)), "pos_s": pos, "summarize_s": summ,
            "ratio": summ / pos, "segment_pages_s": seg, "pages": len(pages),
            "per_article_ms": 1000 * (summ + seg) / len(articles), "per_issue_ms": 1000 * (summ + seg) / len(pages) * 2,
            "long_article_s": long_s, "long_article_chars": sum(map(len, long_body)),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def distinct_year(home: Path, pages: list[str], per_day: int = 40) -> int:
    """A store holding a year of distinct articles (sentences of the source pages recombined at
    random), written straight through Store.save_issue: measures digest building, not ingest."""
    from digest.config import load_settings
    from digest.models import Article, Issue, Page, Summary
    from digest.rank import signature
    from digest.store import Store

    rng = random.Random(365)
    sentences = [x + "。" for text in pages for x in text.replace("\n", "").split("。") if 15 <= len(x) <= 80]
    words = sorted({w for x in sentences for w in (x[i:i + 2] for i in range(0, len(x) - 1, 7))})
    store = Store(load_settings({"home": str(home)}, env={}).database_url)
    for d in range(365):
        day = START + dt.timedelta(days=d)
        items = []
        for n in range(per_day):
            body = "".join(rng.sample(sentences, 8))
            art = Article(title=rng.choice(sentences)[:14], byline="记者", kind="news", paragraphs=(body,),
                          position=n % 8, page=1 + n // 8)
            items.append((art, Summary(tuple(rng.sample(sentences, 2)), tuple(rng.sample(words, 5)), "bench"),
                          f"{d}-{n}", signature(body)))
        issue = Issue("聊城日报", day, "path", (Page(f"{day}.txt", 1, "", f"{d}", "utf-8"),), f"year-{d}")
        store.save_issue(issue, items)
    return 365 * per_day


def measure_digest(env: dict, first: dt.date, last: dt.date, repeat: int = 3) -> dict:
    """Digest of [first, last] from the store, then render + inline, timed inside a fresh process
    (interpreter start and imports excluded); medians over `repeat` processes."""
    code = ("import time,datetime as d;from digest.config import load_settings;from digest import pipeline;"
            "s=load_settings();st=pipeline.open_store(s);t=time.perf_counter();"
            f"g=pipeline.make_digest(st,s,d.date.fromisoformat('{first}'),d.date.fromisoformat('{last}'));"
            "m=time.perf_counter();from digest.render import render_digest;r=render_digest(g,s);"
            "e=time.perf_counter();print(m-t,e-m,len(r.html.encode()),g.article_count)")
    rows = [run_cmd([sys.executable, "-c", code], env) for _ in range(repeat)]
    fields = [r[2].split() for r in rows]
    return {"digest_s": statistics.median(float(f[0]) for f in fields),
            "render_inline_s": statistics.median(float(f[1]) for f in fields),
            "html_bytes": int(fields[0][2]), "articles": int(fields[0][3]), "peak_mb": max(r[1] for r in rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,30,365,3650", help="archive sizes in issues")
    ap.add_argument("--repeat", type=int, default=5, help="repeats for the small measurements")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "latest.json")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = source_pages()
    cores = os.cpu_count() or 1
    results: dict = {"machine": {"cores": cores, "python": platform.python_version(), "platform": platform.platform()},
                     "seeds_present": SEEDS.is_dir()}
    print(f"# machine: {cores} cores, Python {platform.python_version()}", flush=True)
    results["text"] = t = bench_text(pages, args.repeat)
    print(f"1-2. POS {t['pos_s']:.3f}s  summarise {t['summarize_s']:.3f}s  ratio {t['ratio']:.2f}x  "
          f"({t['articles']} articles); per article {t['per_article_ms']:.1f} ms; "
          f"one 2,000-sentence article {t['long_article_s']:.2f}s; peak {t['peak_mb']:.0f} MB", flush=True)
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    try:
        results["ingest"] = {}
        for n in sizes:
            archive = make_archive(work / f"archive-{n}", n, pages)
            row = {}
            for jobs in sorted({1, cores}):
                reps = 3 if n <= 30 else 1
                secs, mems = [], []
                for r in range(reps):
                    home = work / f"home-{n}-{jobs}-{r}"
                    env = {**os.environ, "DIGEST_HOME": str(home)}
                    s, m, _ = run_cmd(DIGEST + ["ingest", str(archive), "--jobs", str(jobs), "--json"], env)
                    secs.append(s)
                    mems.append(m)
                row[f"jobs{jobs}"] = {"seconds": statistics.median(secs), "peak_mb": max(mems)}
            if cores > 1:
                row["speedup"] = row["jobs1"]["seconds"] / row[f"jobs{cores}"]["seconds"]
            results["ingest"][n] = row
            print(f"3. ingest {n:5d} issues: " + "  ".join(
                f"{k} {v['seconds']:.1f}s/{v['peak_mb']:.0f}MB" for k, v in row.items() if k.startswith("jobs"))
                + (f"  speedup {row['speedup']:.2f}x" if "speedup" in row else ""), flush=True)
        big = max(n for n in sizes if n <= 3650)
        home = work / f"home-{big}-{cores}-0"
        env = {**os.environ, "DIGEST_HOME": str(home)}
        results["build"] = {}
        last = START + dt.timedelta(days=big - 1)
        for label, days in (("1 day", 1), ("1 week", 7), ("1 month", 30), ("1 year", 365)):
            if days <= big:
                results["build"][label] = row = measure_digest(env, last - dt.timedelta(days=days - 1), last)
                print(f"4-5. {label:8s}: digest from store {row['digest_s']:.3f}s, render+inline "
                      f"{row['render_inline_s']:.3f}s, {row['html_bytes'] / 1024:.0f} KB HTML, "
                      f"{row['articles']} articles, peak {row['peak_mb']:.0f} MB", flush=True)
        year_home = work / "distinct-year"
        n_articles = distinct_year(year_home, pages)
        env_year = {**os.environ, "DIGEST_HOME": str(year_home)}
        y = measure_digest(env_year, START, START + dt.timedelta(days=364))
        results["build"]["1 year, distinct"] = {**y, "stored_articles": n_articles}
        print(f"4-5. 1 year of {n_articles} distinct articles: digest from store {y['digest_s']:.3f}s, "
              f"render+inline {y['render_inline_s']:.3f}s, {y['html_bytes'] / 1024:.0f} KB HTML, "
              f"peak {y['peak_mb']:.0f} MB", flush=True)
        cold = []
        for _ in range(3):
            shutil.rmtree(home / "outbox", ignore_errors=True)
            cold.append(run_cmd(DIGEST + ["build", "--date", last.isoformat()], env))
        results["cold_build_day"] = {"seconds": statistics.median(c[0] for c in cold), "peak_mb": max(c[1] for c in cold)}
        print(f"5. cold `digest build --date {last}`: {results['cold_build_day']['seconds']:.2f}s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
