"""PDF reading speed and memory (figures in BENCHMARKS.md).

    .venv/bin/python bench/bench_pdf.py [--pages 240]

1. pages per second of digest.reading.pdf.read_pdf (glyphs -> lines -> blocks -> order ->
   furniture -> Document) on one core: over the development PDFs in ../shared/corpus/pdf (dense
   Chromium/Skia e-paper pages) and over a long PDF made at bench time with reportlab (--pages
   full text pages, never committed);
2. the same pages through the whole reader (read_pdf + the shared labeller, read_document);
3. memory over the long PDF: RSS sampled after every page while read_pdf streams it (flat = the
   last pages cost no more than the first);
4. for the choice of library: the same development PDFs' glyphs with sizes and boxes through
   pdfplumber (pdfminer.six), when it is installed (it is not a dependency).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEV = REPO.parent / "shared" / "corpus" / "pdf"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def read_all(path: Path, label: bool = False) -> int:
    from digest.reading import read_document
    from digest.reading.pdf import read_pdf

    n = 0
    for doc in read_pdf(path):
        if label:
            read_document(doc, doc.source, doc.meta.get("page_number") or 1)
        n += 1
    return n


def pages_per_second(paths: list[Path], label: bool, repeat: int = 3) -> tuple[float, int]:
    best = None
    pages = 0
    for _ in range(repeat):
        t = time.perf_counter()
        pages = sum(read_all(p, label) for p in paths)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return pages / best, pages


def memory_curve(path: Path) -> list[tuple[int, float]]:
    from digest.reading.pdf import read_pdf

    out = []
    for k, _doc in enumerate(read_pdf(path), 1):
        if k in (1, 10, 25, 50, 100, 150, 200) or k % 100 == 0:
            out.append((k, round(rss_mb(), 1)))
    out.append((k, round(rss_mb(), 1)))
    return out


def plumber_pages_per_second(paths: list[Path]) -> float | None:
    try:
        import pdfplumber
    except ImportError:
        return None
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    t = time.perf_counter()
    n = 0
    for p in paths:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                _ = [(c["text"], c["size"], c["x0"], c["top"]) for c in page.chars]
                page.flush_cache()
                n += 1
    return n / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=240, help="pages of the long PDF made at bench time")
    args = ap.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from tests.pdf_fixtures import long_pdf

    res: dict = {"machine": f"{os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}"}
    dev = sorted(DEV.glob("*.pdf")) if DEV.is_dir() else []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        long = long_pdf(Path(tmp) / "long.pdf", args.pages)
        res["long_pdf"] = {"pages": args.pages, "MB": round(long.stat().st_size / 2**20, 1),
                           "made_in_s": round(time.perf_counter() - t, 1)}
        if dev:
            res["dev_read_pdf_pages_per_s"], res["dev_pages"] = pages_per_second(dev, label=False)
            res["dev_with_labeller_pages_per_s"], _ = pages_per_second(dev, label=True)
            res["dev_pdfplumber_chars_pages_per_s"] = plumber_pages_per_second(dev)
        res["long_read_pdf_pages_per_s"], _ = pages_per_second([long], label=False, repeat=1)
        res["long_with_labeller_pages_per_s"], _ = pages_per_second([long], label=True, repeat=1)
        res["rss_mb_after_page"] = memory_curve(long)
    for k, v in res.items():
        if isinstance(v, float):
            res[k] = round(v, 1)
    print(json.dumps(res, ensure_ascii=False, indent=1))
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pdf.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
