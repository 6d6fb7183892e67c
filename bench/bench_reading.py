"""How much of ingest is reading? Run: .venv/bin/python bench/bench_reading.py [--repeat 5]

Times, on every text page of ../shared/corpus (seeds, styles and the pdftotext dumps of the PDFs)
and samples/, with jieba already loaded (as in an ingest worker):
 * reading: text -> Document -> labelled lines -> articles (digest.reading.read_text),
 * the issue date (digest.reading.issue_date),
 * summarising the articles read (digest.summarize.summarize_article),
and reports reading's share of the per-page work. Medians over repeated runs. Then two
pathological pages (one 1.6 MB line; 20,000 short lines) that must read in linear time.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from run import timed  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"


def pages() -> list[tuple[str, str]]:
    files = sorted(CORPUS.glob("seeds/*.txt")) + sorted(CORPUS.glob("styles/*.txt")) \
        + sorted(CORPUS.glob("pdf/*.pdftotext.txt")) + sorted((REPO / "samples").rglob("*.txt"))
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from digest import nlp
    from digest.reading import issue_date, read_text
    from digest.summarize import summarize_article

    nlp.init(REPO / "data")
    texts = pages()
    if not texts:
        print("no pages found", file=sys.stderr)
        return 2
    arts = [a for _, t in texts for a in read_text(t).articles if a.duplicate_of is None]
    chars = sum(len(t) for _, t in texts)
    read_s = timed(lambda: [read_text(t) for _, t in texts], args.repeat)
    date_s = timed(lambda: [issue_date([t]) for _, t in texts], args.repeat)
    summ_s = timed(lambda: [summarize_article(a, max_sentences=3, max_chars=150) for a in arts], args.repeat)
    total = read_s + date_s + summ_s
    print(f"{len(texts)} pages, {chars:,} characters, {len(arts)} articles")
    print(f"read (labels + articles): {read_s:.3f} s = {1000 * read_s / len(texts):.1f} ms/page, "
          f"{chars / read_s / 1000:.0f}k chars/s")
    print(f"issue date:               {date_s:.3f} s = {1000 * date_s / len(texts):.1f} ms/page")
    print(f"summarise:                {summ_s:.3f} s = {1000 * summ_s / len(arts):.1f} ms/article")
    print(f"reading's share of read + date + summarise: {100 * (read_s + date_s) / total:.0f}%")
    # pathological shapes must stay linear: one 1.6 MB line, 20,000 identical short lines
    long_line = "本报讯 近日，" + "河湾区 启动改造， " * 200000
    many = "\n".join(["河湾区启动改造"] * 20000)
    print(f"one {len(long_line) / 1e6:.1f} MB line: {timed(lambda: read_text(long_line), 1):.1f} s; "
          f"20,000 short lines: {timed(lambda: read_text(many), 1):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
