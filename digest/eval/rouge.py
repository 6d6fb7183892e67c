"""Character-level ROUGE of digest's summaries against reference summaries.

    python -m digest.eval.rouge DATA.jsonl [DATA2.jsonl ...] [--sentences 1|3] [--limit N] [--half even|odd]

Each file holds JSON lines ``{"id", "text", "summary"}``. For every file it prints ROUGE-1, -2 and
-L F1 (percent, averaged over documents) of: digest's summary (``summarize_text``), Lead-1/Lead-3,
and textrank4zh top-1/top-3, all in the same run; then digest's ROUGE-L margin over the best
baseline of the run, with its standard error over documents (the per-document differences are
paired: the same documents, the same reference), so a margin can be read against its noise.
``--half even`` / ``--half odd`` keeps the documents at even / odd positions (0, 2, 4 ... /
1, 3, 5 ...): two halves of a file, one to try an idea on, the other to check it on.

Tokens (jieba-free): the text is NFKC-normalised and lower-cased; every remaining character whose
Unicode category is a letter (L*) or a number (N*) is one token -- one per Chinese character, and
also one per Latin letter or digit. Whitespace, punctuation (P*), symbols (S*) and control
characters are ignored. ROUGE-N counts clipped n-gram overlaps; ROUGE-L uses the longest common
subsequence of the two token sequences (the summary's sentences concatenated, no union-LCS);
F1 = 2PR/(P+R), and 0 when either side has no tokens.

Systems:
- digest: ``summarize_text(text, max_sentences=k)`` with no title (in sohu_headline the "title"
  field *is* the reference, so passing it would be leakage).
- Lead-k: the first k sentences of the cleaned text, split after every run of 。！？!? or …
  (closing quotes kept; a plain splitter of its own, so the baseline stays put when digest's
  sentence rules change), without any filtering or byline stripping.
- textrank4zh top-k: ``TextRank4Sentence().analyze(text, lower=False, source='all_filters')`` then
  ``get_key_sentences(k)`` (its own splitter, min length 6), put back in reading order. networkx 3
  removed ``from_numpy_matrix``; this module (only) aliases it to ``from_numpy_array``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

from .. import nlp
from ..summarize import clean_text, summarize_text

SYSTEMS = ("digest", "lead", "textrank4zh")


def tokens(text: str) -> list[str]:
    """One token per letter/number character (so one per Chinese character)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [c for c in text if unicodedata.category(c)[0] in "LN"]


def _f1(overlap: float, n_cand: int, n_ref: int) -> float:
    if n_cand == 0 or n_ref == 0 or overlap == 0:
        return 0.0
    p, r = overlap / n_cand, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_n(cand: list[str], ref: list[str], n: int) -> float:
    c = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
    r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
    return _f1(sum((c & r).values()), sum(c.values()), sum(r.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004)."""
    if not a or not b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    masks: dict[str, int] = {}
    for i, ch in enumerate(b):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for ch in a:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - bin(v).count("1")


def rouge_l(cand: list[str], ref: list[str]) -> float:
    return _f1(lcs_length(cand, ref), len(cand), len(ref))


def scores(candidate: str, reference: str) -> dict[str, float]:
    c, r = tokens(candidate), tokens(reference)
    return {"R1": 100 * rouge_n(c, r, 1), "R2": 100 * rouge_n(c, r, 2), "RL": 100 * rouge_l(c, r)}


_LEAD_SENTENCE = re.compile(r"[^。！？!?…]*(?:[。！？!?]+|…+)[”’」』）)]*|[^。！？!?…]+$")


def lead(text: str, k: int) -> str:
    """The first k sentences of ``clean_text(text)``: cut after every run of 。！？!? or …, closing
    quotes kept -- a fixed, plain splitter (not digest's), so the baseline does not move when
    digest's sentence rules change."""
    out: list[str] = []
    for paragraph in clean_text(text).split("\n"):
        for m in _LEAD_SENTENCE.finditer(paragraph):
            if m.group(0).strip():
                out.append(m.group(0).strip())
                if len(out) == k:
                    return "".join(out)
    return "".join(out)


_TR4ZH = None


def textrank4zh_summary(text: str, k: int) -> str:
    global _TR4ZH
    if _TR4ZH is None:
        import networkx as nx

        if not hasattr(nx, "from_numpy_matrix"):  # networkx 3: textrank4zh's call, fixed here only
            nx.from_numpy_matrix = nx.from_numpy_array
        from textrank4zh import TextRank4Sentence

        _TR4ZH = TextRank4Sentence()
    _TR4ZH.analyze(text, lower=False, source="all_filters")
    items = sorted(_TR4ZH.get_key_sentences(num=k), key=lambda item: item.index)
    return "".join(item.sentence for item in items)


def load(path: str | Path, limit: int | None = None, half: str | None = None) -> list[dict]:
    """The documents of a JSON lines file; ``half`` "even"/"odd": only those at even/odd positions
    (counting documents from 0, blank lines skipped); ``limit`` applies after the halving."""
    rows = []
    position = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                keep = half is None or position % 2 == (0 if half == "even" else 1)
                position += 1
                if not keep:
                    continue
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


def margin(per_doc: dict[str, list[float]], systems: tuple[str, ...]) -> dict | None:
    """digest's mean ROUGE-L minus the best baseline's (the baseline with the highest mean), with
    the standard error of the mean of the per-document differences:
    ``{"baseline", "RL", "se"}``, or None without digest and a baseline."""
    baselines = [s for s in systems if s != "digest" and per_doc.get(s)]
    if "digest" not in systems or not baselines or not per_doc.get("digest"):
        return None
    best = max(baselines, key=lambda s: sum(per_doc[s]))
    diffs = [a - b for a, b in zip(per_doc["digest"], per_doc[best])]
    n = len(diffs)
    mean = sum(diffs) / n
    se = (sum((d - mean) ** 2 for d in diffs) / (n - 1)) ** 0.5 / n ** 0.5 if n > 1 else float("nan")
    return {"baseline": best, "RL": mean, "se": se}


def evaluate(path: str | Path, sentences: int = 1, limit: int | None = None,
             systems: tuple[str, ...] = SYSTEMS, half: str | None = None) -> dict:
    """Mean R1/R2/RL F1 (percent) per system: ``{"n": N, "digest": {"R1":..}, ..., "margin": ...}``
    (``margin``: see ``margin``; None without digest and a baseline)."""
    nlp.init()
    rows = load(path, limit, half)
    run = {
        "digest": lambda t: "".join(summarize_text(t, max_sentences=sentences).sentences),
        "lead": lambda t: lead(t, sentences),
        "textrank4zh": lambda t: textrank4zh_summary(t, sentences),
    }
    totals = {s: {"R1": 0.0, "R2": 0.0, "RL": 0.0} for s in systems}
    seconds = {s: 0.0 for s in systems}
    per_doc: dict[str, list[float]] = {s: [] for s in systems}
    for row in rows:
        for s in systems:
            t0 = time.perf_counter()
            summary = run[s](row["text"])
            seconds[s] += time.perf_counter() - t0
            got = scores(summary, row["summary"])
            for key, value in got.items():
                totals[s][key] += value
            per_doc[s].append(got["RL"])
    n = max(len(rows), 1)
    result: dict = {"n": len(rows), "sentences": sentences, "seconds": seconds}
    for s in systems:
        result[s] = {key: value / n for key, value in totals[s].items()}
    result["margin"] = margin(per_doc, systems)
    return result


def _label(system: str, k: int) -> str:
    return {"digest": f"digest-{k}", "lead": f"Lead-{k}", "textrank4zh": f"textrank4zh top-{k}"}[system]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digest.eval.rouge", description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="+", help="JSON lines files with text and summary")
    ap.add_argument("--sentences", type=int, choices=(1, 2, 3, 4, 5), default=None,
                    help="summary length in sentences (default: both 1 and 3)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents of each file")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma separated subset of " + ",".join(SYSTEMS))
    ap.add_argument("--half", choices=("even", "odd"), default=None,
                    help="only the documents at even (0, 2, 4 ...) or odd positions of each file")
    args = ap.parse_args(argv)
    systems = tuple(s for s in args.systems.split(",") if s in SYSTEMS) or SYSTEMS
    ks = [args.sentences] if args.sentences else [1, 3]
    print("character ROUGE F1 (%), tokens = letters/numbers (one per Chinese character), no title used")
    print(f"{'file':<20} {'system':<22} {'n':>5} {'R1':>6} {'R2':>6} {'RL':>6} {'ms/doc':>7}")
    for path in args.data:
        if not Path(path).is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return 2
        for k in ks:
            res = evaluate(path, k, args.limit, systems, args.half)
            for s in systems:
                r = res[s]
                ms = 1000 * res["seconds"][s] / max(res["n"], 1)
                print(f"{Path(path).stem:<20} {_label(s, k):<22} {res['n']:>5} "
                      f"{r['R1']:>6.1f} {r['R2']:>6.1f} {r['RL']:>6.1f} {ms:>7.1f}")
            if res["margin"]:
                m = res["margin"]
                print(f"{Path(path).stem:<20} {'RL − ' + _label(m['baseline'], k):<22} {res['n']:>5} "
                      f"{m['RL']:>+13.1f} ± {m['se']:.1f} (s.e., paired over documents)")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
