"""Score the PDF reader on PDFs with gold (development aid; the evaluation command will do this too).

    .venv/bin/python bench/score_pdf.py [GOLD_JSON PDF_DIR] [-v]

Each gold key ``NAME.pdf.txt`` names the companion of ``NAME.pdf``; the PDF is read with
digest.reading.pdf.read_pdf, each page labelled, jumps joined across its pages, and the articles
matched with the gold bodies as digest.eval.segmentation does (character bigrams, overlap >= 0.5
both ways). Prints article F1, title and byline accuracy and furniture leaks.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digest.eval.segmentation import _bigrams, _match, gold_bodies, norm_title  # noqa: E402
from digest.reading import join_continuations  # noqa: E402
from digest.reading.pdf import read_pdf  # noqa: E402


def parse_pdf(path: Path):
    from digest.reading import read_document

    parses = []
    for k, doc in enumerate(read_pdf(path), 1):
        number = doc.meta.get("page_number") or k
        parses.append(read_document(doc, doc.source, number))
    return [a for a in join_continuations(parses) if a.duplicate_of is None and a.paragraphs], parses


def furniture_texts(path: Path) -> list[str]:
    out = []
    for doc in read_pdf(path):
        out += [ln.text for ln in doc.lines if ln.furniture]
    return out


def score(gold_path: Path, pdf_dir: Path, verbose: bool = False) -> dict:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    tp = n_gold = n_pred = t_ok = t_n = b_ok = b_n = leaks = 0
    for name, g in sorted(gold.items()):
        pdf = pdf_dir / name[:-len(".txt")]
        lines = (pdf_dir / name).read_text(encoding="utf-8").split("\n")
        preds, _ = parse_pdf(pdf)
        expected = [a for a in g["articles"] if a.get("body_in_file", True) and a["first_line_no"]
                    and a.get("duplicate_of") is None]
        gb = [(i, _bigrams(gold_bodies(lines, a, set()))) for i, a in enumerate(expected)]
        pb = [(i, _bigrams(a.body)) for i, a in enumerate(preds)]
        pairs = _match(gb, pb)
        tp, n_gold, n_pred = tp + len(pairs), n_gold + len(expected), n_pred + len(preds)
        got, hit = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
        furn = {"".join(t.split()) for t in furniture_texts(pdf) if len("".join(t.split())) >= 4}
        for gi, a in enumerate(expected):
            if gi not in got and verbose:
                print(f"  MISSED {name} a{a['index']} {a['title']!r} {a['first_line'][:30]!r}")
        for pi, a in enumerate(preds):
            if pi not in hit and verbose:
                print(f"  EXTRA  {name} p{a.page} {a.title!r} {a.body[:50]!r}")
        for gi, pi in pairs:
            ga, pa = expected[gi], preds[pi]
            if ga["title"]:
                t_n += 1
                if norm_title(ga["title"]) == norm_title(pa.title):
                    t_ok += 1
                elif verbose:
                    print(f"  TITLE  {name} a{ga['index']} gold={ga['title']!r} got={pa.title!r}")
            b_n += 1
            if (ga["byline"] or "").split() == (pa.byline or "").split():
                b_ok += 1
            elif verbose:
                print(f"  BYLINE {name} a{ga['index']} gold={ga['byline']!r} got={pa.byline!r}")
            body = "".join(pa.body.split())
            leak = [f for f in furn if f in body]
            leaks += len(leak)
            if leak and verbose:
                print(f"  LEAK   {name} a{ga['index']} {leak}")
    r = tp / n_gold if n_gold else 0.0
    p = tp / n_pred if n_pred else 0.0
    return {"gold": n_gold, "predicted": n_pred, "matched": tp, "recall": r, "precision": p,
            "f1": 2 * r * p / (r + p) if r + p else 0.0, "titles": t_ok / t_n if t_n else 0.0,
            "bylines": b_ok / b_n if b_n else 0.0, "furniture_leaks": leaks}


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    shared = REPO.parent / "shared" / "corpus"
    gold = Path(args[0]) if args else shared / "pdf_gold.json"
    pdfs = Path(args[1]) if len(args) > 1 else shared / "pdf"
    res = score(gold, pdfs, verbose)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
