"""Score the reader against hand annotations (the seeds_gold.json format).

    python -m digest.eval.segmentation GOLD_JSON [PAGES_DIR] [GOLD_JSON [PAGES_DIR] ...] [--json]

Each gold file is scored against the page files it names; the folder defaults to the gold file's
name without ``_gold.json`` beside it (``corpus/styles_gold.json`` -> ``corpus/styles/``).

Matching: every predicted article and every expected gold article is reduced to a key (Chinese
characters, digits, Latin letters; whitespace, punctuation and width ignored). A pair's overlap is
the multiset intersection of their character bigrams; a pair matches when the overlap covers at
least half of the gold body AND half of the predicted body. Pairs are taken greedily, best
overlap (F-score) first, one-to-one, within a file.

Counting rules:
* gold blocks with ``duplicate_of`` set are not expected (the reader should drop or flag them);
  predicted articles with ``duplicate_of`` set are ignored; an unflagged predicted copy is a false
  positive because nothing is left for it to match.
* body-less headline blocks (``body_in_file`` false) are not expected, and predicted articles
  without paragraphs are ignored.
* title accuracy: over matched gold articles that have a title; equal after removing whitespace
  and folding punctuation width/quote style (" | " part separators count).
* byline accuracy: over all matched gold articles; names compared as a sequence (null == none).
* kind and dateline accuracy (informative): over all matched gold articles.
* furniture leaks: a gold furniture line (``page_furniture``) whose text occurs in the predicted
  bodies and titles more often than in the gold article text (a column name may be quoted in a story).
* issue date: the reader's date for the page against ``issue_date_estimate`` (a day, or a month
  ``YYYY-MM`` meaning "any day of it"); printed dates and guesses are counted apart.

A gold key ``NAME.pdf.txt`` whose ``NAME.pdf`` exists beside it is a PDF: the PDF is read and its
articles are scored against the companion text (line numbers point into ``NAME.pdf.txt``). Stories
continued across pages (下转/上接) are joined first, as ingest stores them.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

from ..models import PageParse
from ..reading.jumps import join_continuations
from ..reading.repair import key

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": "'", "』": "'"})
Reader = Callable[[Path], tuple[list[PageParse], str | None, str]]  # path -> (pages, issue date, date rule)


def _bigrams(text: str) -> Counter:
    k = key(text)
    return Counter(k[i:i + 2] for i in range(len(k) - 1)) if len(k) > 1 else Counter(k)


def norm_title(t: str | None) -> str:
    if not t:
        return ""
    t = unicodedata.normalize("NFKC", t).translate(_QUOTES)
    return "".join(t.split()).replace("#", "")


def gold_bodies(lines: list[str], art: dict, skip: set[int]) -> str:
    lo, hi = art["first_line_no"], art["last_line_no"]
    own = set(art.get("title_line_nos") or []) | set(art.get("extra_line_nos") or [])
    return "\n".join(lines[i - 1] for i in range(lo, hi + 1) if i not in skip and i not in own)


def _match(golds: list[tuple[int, Counter]], preds: list[tuple[int, Counter]]) -> list[tuple[int, int]]:
    cands = []
    for gi, g in golds:
        gn = sum(g.values()) or 1
        for pi, p in preds:
            ov = sum((g & p).values())
            pn = sum(p.values()) or 1
            r, pr = ov / gn, ov / pn
            if r >= 0.5 and pr >= 0.5:
                cands.append((2 * r * pr / (r + pr), gi, pi))
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in sorted(cands, reverse=True):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def read_path(path: Path) -> tuple[list[PageParse], str | None, str]:
    """The reader under test: a page file (or PDF) -> its PageParses, issue date (ISO) and date rule."""
    from ..ingest import read_file

    result = read_file(path)
    return list(result.pages), (result.date.isoformat() if result.date else None), result.date_rule


def _date_ok(found: str | None, estimate: str | None) -> bool:
    return bool(found and estimate) and found.startswith(estimate)


def evaluate(gold_path, pages_dir=None, reader: Reader = read_path) -> dict:
    """Score one gold file. Returns counts, accuracies and a list of mismatches (see the module doc)."""
    gold_path = Path(gold_path)
    pages_dir = Path(pages_dir) if pages_dir else default_pages_dir(gold_path)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    tp = n_gold = n_pred = 0
    t_ok = t_n = b_ok = b_n = k_ok = d_ok = leaks = 0
    dates = {"printed": [0, 0], "guessed": [0, 0]}  # [right, total]
    mismatches: list[dict] = []
    files = {}
    for name, g in sorted(gold.items()):
        path = pages_dir / name
        pdf = path.with_suffix("") if name.endswith(".pdf.txt") else None
        target = pdf if pdf is not None and pdf.exists() else path
        if not path.exists():
            mismatches.append({"file": name, "problem": "page file missing"})
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        parses, found_date, rule = reader(target)
        estimate = g.get("issue_date_estimate")
        if estimate:
            slot = dates["guessed" if rule in ("guess", "mtime", None) else "printed"]
            slot[1] += 1
            if _date_ok(found_date, estimate):
                slot[0] += 1
            else:
                mismatches.append({"file": name, "problem": "issue date", "gold": estimate,
                                   "got": found_date, "rule": rule})
        skip = set(g.get("page_furniture_line_nos") or [])
        expected = [a for a in g["articles"] if a.get("body_in_file", True) and a["first_line_no"]
                    and a.get("duplicate_of") is None]
        # scored as ingest stores them: a story that jumps pages (下转/上接) is one article
        preds = [a for a in join_continuations(parses) if a.duplicate_of is None and a.paragraphs]
        gb = [(i, _bigrams(gold_bodies(lines, a, skip))) for i, a in enumerate(expected)]
        pb = [(i, _bigrams(a.body)) for i, a in enumerate(preds)]
        pairs = _match(gb, pb)
        tp += len(pairs)
        n_gold += len(expected)
        n_pred += len(preds)
        got = {gi for gi, _ in pairs}
        hit = {pi for _, pi in pairs}
        for gi, a in enumerate(expected):
            if gi not in got:
                mismatches.append({"file": name, "problem": "missed", "gold_index": a["index"],
                                   "title": a["title"], "first_line": (a["first_line"] or "")[:40]})
        for pi, a in enumerate(preds):
            if pi not in hit:
                mismatches.append({"file": name, "problem": "extra", "page": a.page, "position": a.position,
                                   "title": a.title, "first_line": a.paragraphs[0][:40]})
        for gi, pi in pairs:
            ga, pa = expected[gi], preds[pi]
            if ga["title"]:
                t_n += 1
                if norm_title(ga["title"]) == norm_title(pa.title):
                    t_ok += 1
                else:
                    mismatches.append({"file": name, "problem": "title", "gold_index": ga["index"],
                                       "gold": ga["title"], "got": pa.title})
            k_ok += ga["kind"] == pa.kind
            d_ok += norm_title(ga.get("dateline")) == norm_title(pa.dateline)
            if ga["kind"] != pa.kind or norm_title(ga.get("dateline")) != norm_title(pa.dateline):
                mismatches.append({"file": name, "problem": "kind/dateline", "gold_index": ga["index"],
                                   "gold": (ga["kind"], ga.get("dateline")), "got": (pa.kind, pa.dateline)})
            b_n += 1
            if (ga["byline"] or "").split() == (pa.byline or "").split():
                b_ok += 1
            else:
                mismatches.append({"file": name, "problem": "byline", "gold_index": ga["index"],
                                   "gold": ga["byline"], "got": pa.byline})
        file_leaks = _leaks(lines, g, preds)
        leaks += len(file_leaks)
        mismatches.extend({"file": name, "problem": "furniture leak", "line": f} for f in file_leaks)
        files[name] = {"expected": len(expected), "predicted": len(preds), "matched": len(pairs),
                       "leaks": len(file_leaks), "date": found_date, "date_rule": rule}
    recall = tp / n_gold if n_gold else 0.0
    precision = tp / n_pred if n_pred else 0.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {"gold": str(gold_path), "recall": recall, "precision": precision, "f1": f1,
            "title_accuracy": t_ok / t_n if t_n else 0.0, "byline_accuracy": b_ok / b_n if b_n else 0.0,
            "kind_accuracy": k_ok / b_n if b_n else 0.0, "dateline_accuracy": d_ok / b_n if b_n else 0.0,
            "gold_articles": n_gold, "predicted_articles": n_pred, "matched": tp,
            "titles_checked": t_n, "titles_right": t_ok, "bylines_checked": b_n, "bylines_right": b_ok,
            "furniture_leaks": leaks,
            "dates_printed_right": dates["printed"][0], "dates_printed": dates["printed"][1],
            "dates_guessed_right": dates["guessed"][0], "dates_guessed": dates["guessed"][1],
            "files": files, "mismatches": mismatches}


def _leaks(lines: list[str], g: dict, preds) -> list[str]:
    """Gold furniture lines found in predicted bodies/titles more often than in the gold articles."""
    skip = set(g.get("page_furniture_line_nos") or [])
    gold_text = key("\n".join(lines[i - 1] for a in g["articles"] if a.get("first_line_no")
                              for i in range(a["first_line_no"], a["last_line_no"] + 1) if i not in skip)
                    + "\n".join(a.get("title") or "" for a in g["articles"]))
    got = [key(a.body) + "\x00" + key(a.title or "") for a in preds]
    out = []
    for f in dict.fromkeys(g.get("page_furniture") or []):
        fk = key(f)
        if len(fk) >= 2 and sum(x.count(fk) for x in got) > gold_text.count(fk):
            out.append(f)
    return out


def default_pages_dir(gold_path: Path) -> Path:
    name = gold_path.name
    stem = name[:-len("_gold.json")] if name.endswith("_gold.json") else gold_path.stem
    return gold_path.parent / stem


def _pairs(args: list[str]) -> list[tuple[Path, Path | None]]:
    out: list[tuple[Path, Path | None]] = []
    for a in args:
        p = Path(a)
        if p.is_dir() and out and out[-1][1] is None:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, None))
    return out


def _line(res: dict) -> str:
    printed = f"{res['dates_printed_right']}/{res['dates_printed']}"
    guessed = f"{res['dates_guessed_right']}/{res['dates_guessed']}"
    return (f"F1 {res['f1']:.3f} (P {res['precision']:.3f} R {res['recall']:.3f}; "
            f"{res['matched']}/{res['gold_articles']} gold, {res['predicted_articles']} predicted)  "
            f"titles {res['titles_right']}/{res['titles_checked']} ({res['title_accuracy']:.2f})  "
            f"bylines {res['bylines_right']}/{res['bylines_checked']} ({res['byline_accuracy']:.2f})  "
            f"furniture leaks {res['furniture_leaks']}  dates printed {printed} guessed {guessed}  "
            f"kind {res['kind_accuracy']:.2f} dateline {res['dateline_accuracy']:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digest.eval.segmentation", description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", metavar="GOLD_JSON [PAGES_DIR]",
                    help="gold files, each optionally followed by its pages folder")
    ap.add_argument("--json", action="store_true", help="print the full results as JSON")
    ap.add_argument("--quiet", "-q", action="store_true", help="figures only, no list of mismatches")
    args = ap.parse_args(argv)
    results = []
    for gold, pages in _pairs(args.paths):
        if not gold.is_file():
            ap.error(f"{gold}: no such gold file")
        results.append(evaluate(gold, pages))
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], ensure_ascii=False, indent=2))
        return 0
    for res in results:
        print(f"{Path(res['gold']).name}: {_line(res)}")
        if not args.quiet:
            for m in res["mismatches"]:
                print("  - " + "  ".join(f"{k}={v}" for k, v in m.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
