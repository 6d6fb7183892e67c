"""Speed of summarize_text against jieba's POS pass alone over the same text.

    python bench/bench_summarize.py [--repeat 5] [FILES...]

Articles: the paragraphs of ../shared/corpus/seeds/*.txt grouped into article-sized chunks (runs of
paragraphs up to ~1,500 characters), or the ``text`` of ../shared/eval/*.jsonl lines when given
JSONL files. For each article: the median over ``--repeat`` runs (time.perf_counter) of (a) one
jieba POS pass over the article's text and (b) summarize_text (which does its own single pass plus
cleaning, sentence marking, ranking, cohesion and keywords), the two measured one after the
other for each article. Prints the totals and the ratio b/a (target <= 1.5).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest import nlp  # noqa: E402
from digest.summarize import summarize_text  # noqa: E402
from run import timed  # noqa: E402  (bench/run.py, beside this script)

SHARED = ROOT.parent / "shared"


def articles(files: list[Path]) -> list[str]:
    out: list[str] = []
    for f in files:
        if f.suffix == ".jsonl":
            out += [json.loads(x)["text"] for x in f.read_text("utf-8").splitlines() if x.strip()]
            continue
        chunk = ""
        for para in f.read_text("utf-8").split("\n\n"):
            chunk += para + "\n\n"
            if len(chunk) > 1500:
                out.append(chunk)
                chunk = ""
        if chunk.strip():
            out.append(chunk)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=int, default=200)
    args = ap.parse_args()
    files = args.files or sorted((SHARED / "corpus" / "seeds").glob("*.txt"))
    if not files:
        print("no input: give files, or run from a checkout next to ../shared", file=sys.stderr)
        return 2
    texts = articles(files)[: args.limit]
    t0 = time.perf_counter()
    nlp.init()
    print(f"jieba init: {time.perf_counter() - t0:.3f} s (once per process)")
    summarize_text(texts[0])  # warm-up
    pos: list[float] = []
    summ: list[float] = []
    for t in texts:  # interleaved, so a busy spell on a shared machine hits both alike
        pos.append(timed(lambda: nlp.pos_tag(t), args.repeat))
        summ.append(timed(lambda: summarize_text(t), args.repeat))
    chars = sum(len(t) for t in texts)
    ratios = [s / p for s, p in zip(summ, pos) if p > 0]
    print(f"articles: {len(texts)}, characters: {chars}, repeats: {args.repeat}")
    print(f"jieba POS pass : {1000 * sum(pos):8.1f} ms total, {1000 * statistics.mean(pos):6.2f} ms/article")
    print(f"summarize_text : {1000 * sum(summ):8.1f} ms total, {1000 * statistics.mean(summ):6.2f} ms/article")
    print(f"ratio (total)  : {sum(summ) / sum(pos):.2f}x   median per article: {statistics.median(ratios):.2f}x"
          f"   max: {max(ratios):.2f}x   (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
