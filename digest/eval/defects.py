"""Sentences no editor would print, found in ``digest summarize --json`` output.

    python -m digest.eval.defects FILE.json [FILE.json ...] [--json]

Each FILE is the JSON ``digest summarize PAGE --json`` prints (``{"source", "articles": [{"title",
"byline", "body", "captions", "summary", ...}]}``; ``-`` reads standard input). Every summary
sentence is checked against its article's body (paragraphs on lines) for these kinds:

- ``duplicate``: the sentence repeats another of the same summary (same text, or most of its
  character bigrams);
- ``fragment``: it does not end with 。！？…, starts with punctuation, is not in the body, starts
  mid-sentence, or continues a paragraph the extraction broke off;
- ``quote``: a quotation left open or entered mid-way, a quotation shown without the attribution
  that follows it (``“…。”王老师告诉记者。``), an attribution shown without its quotation, or a
  sentence that is a quotation and nothing else shown without the sentence after it (who said it);
- ``dangling``: it opens leaning on an earlier sentence (这/该/此/其, a pronoun, 对此、此外、
  下一步…; see ``digest.summarizing.cohesion``) that the summary does not show before it;
- ``subhead``: it is a cross-head (a short paragraph without sentence punctuation, a paragraph the
  reader marked in ``subheads``, or a run-in head parallel to another one);
- ``furniture``: a byline, credit, caption, source line, page footer or other layout text;
- ``broken_word``: it starts with the tail of a word split at a line end (``文，祝贺其当选…``) or
  holds a space inside a Chinese word (``茌平 区``).

Prints one line per defect (file, article, kind, sentence, detail) and a count per kind. Exit 0
when there is none, 1 when there are defects, 2 when a file cannot be read.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import nlp
from ..summarizing import cohesion, script
from ..summarizing.sentences import headlike, is_credit, parallel, strip_prefix, unfinished
from ..summarizing.text import (CLOSE_QUOTES, CLOSERS, HAN, LINE_END, OPEN_QUOTES, STOPS, attribution_end, quote_balance,
                                 quote_pairs, split_sentences)

KINDS = ("duplicate", "fragment", "quote", "dangling", "subhead", "furniture", "broken_word")
_LEDE = re.compile(r"(本报讯|本報訊|本[报報]\S{1,8}[讯訊电電]|新华社\S{0,12}电|【[^】]{1,20}】)\s*([（(][^）)]*[）)])?\s*$")
_INTERJECTION = "对是好嗯哦啊唉不对對"


def _lede(before: str, sentence: str) -> bool:
    """``before`` is the dateline or credit opening the paragraph (the summariser strips it)."""
    return bool(_LEDE.search(before)) or strip_prefix(before + sentence) == sentence
_SPEECH_ONLY = re.compile(r"^[^。！？“”「」]{0,24}$")


@dataclass
class Defect:
    source: str
    article: int  # 0-based position in the file's article list
    title: str
    kind: str
    sentence: str
    detail: str

    def __str__(self) -> str:
        return f"{self.source}\t#{self.article} {self.title[:20]}\t{self.kind}\t{self.sentence[:60]}\t{self.detail}"


def _bigrams(s: str) -> set[str]:
    s = re.sub(rf"[^{HAN}A-Za-z0-9]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def _locate(sentence: str, paragraphs: list[str]) -> tuple[int, int] | None:
    """(paragraph index, start offset) of the sentence's first occurrence at a sentence start, else
    its first occurrence anywhere, else None."""
    first = None
    for pi, para in enumerate(paragraphs):
        i = para.find(sentence)
        while i != -1:
            if first is None:
                first = (pi, i)
            before = para[:i].rstrip()
            if not before or before[-1] in STOPS + CLOSERS + "；;…" or _lede(before, sentence):
                return pi, i
            i = para.find(sentence, i + 1)
    return first


def _body_sentences(paragraphs: list[str]) -> list[tuple[int, int, str]]:
    """Every sentence of the body: (paragraph, start, text), reading order."""
    out = []
    for pi, para in enumerate(paragraphs):
        for a, b in split_sentences(para):
            out.append((pi, a, para[a:b].strip()))
    return out


def _heads(paragraphs: list[str], subheads: list[int]) -> tuple[set[int], set[tuple[int, int]]]:
    """Heading paragraphs, and run-in heads as (paragraph, 0) sentence starts."""
    heads = {i for i in subheads if 0 <= i < len(paragraphs)}
    heads |= {i for i, p in enumerate(paragraphs) if p and not LINE_END.search(p) and len(p) <= 30
              and not re.search(r"[，,。]", p) and not is_credit(p)}
    openers = []
    for pi, p in enumerate(paragraphs):
        spans = split_sentences(p)
        if spans and pi not in heads:
            first = strip_prefix(p[spans[0][0]:spans[0][1]].strip())
            if headlike(first):
                openers.append((pi, first))
    runin = set()
    for pi, text in openers:
        others = [t for q, t in openers if q != pi] + [paragraphs[h] for h in heads]
        if any(parallel(text, o) for o in others):
            runin.add(pi)
    return heads, runin


def check_article(article: dict, source: str = "", position: int = 0) -> list[Defect]:
    """Defects of one article's summary (see the module doc)."""
    title = (article.get("title") or "").replace("|", " ")
    paragraphs = [p.strip() for p in (article.get("body") or "").split("\n")]
    summary = [s for s in article.get("summary") or [] if s]
    out: list[Defect] = []

    def add(kind: str, sentence: str, detail: str) -> None:
        out.append(Defect(source, position, title or "(no headline)", kind, sentence, detail))

    heads, runin = _heads(paragraphs, list(article.get("subheads") or []))
    body = _body_sentences(paragraphs)
    starts = {(pi, a): k for k, (pi, a, _) in enumerate(body)}
    captions = {c.strip() for c in article.get("captions") or []}
    byline_names = [n for n in (article.get("byline") or "").split() if len(n) >= 2]
    texts = [script.to_simplified(t) for _, _, t in body]
    hd = [body[j][0] in heads or (body[j][0] in runin and body[j][1] == 0) for j in range(len(body))]
    persons = [any(f.startswith("nr") for _, f in nlp.pos_tag(t)) for t in texts] if any(
        cohesion.opener(script.to_simplified(s)) for s in summary) else None
    layout = [is_credit(t) for _, _, t in body]
    seen: list[tuple[str, set[str]]] = []
    shown: list[int] = []  # body sentence indices of the summary so far
    for s in summary:
        grams = _bigrams(s)
        if any(s == t or len(grams & g) / max(1, min(len(grams), len(g))) > 0.7 for t, g in seen):
            add("duplicate", s, "repeats an earlier summary sentence")
        seen.append((s, grams))
        where = _locate(s, paragraphs)
        if not LINE_END.search(s):
            add("fragment", s, "does not end with 。！？…")
        if re.match(r"^[，,、；;：:。）)」』”]", s):
            add("fragment", s, "starts with punctuation")
        if where is None:
            add("fragment", s, "not found in the body")
            continue
        pi, at = where
        para = paragraphs[pi]
        before = para[:at].rstrip()
        if before and before[-1] not in STOPS + CLOSERS + "；;…" and not _lede(before, s):
            add("fragment", s, f"starts mid-sentence after “{before[-8:]}”")
        elif before and before[-1] in "；;":
            add("fragment", s, "the last item of an enumeration (after “；”), not a sentence of its own")
        if at == 0 and pi > 0 and unfinished(paragraphs[pi - 1]) and pi - 1 not in heads:
            tail = paragraphs[pi - 1][-1:]
            if re.match(rf"[{HAN}]", tail) and re.match(rf"^[{HAN}][，,、。；]", s) and s[0] not in _INTERJECTION:
                add("broken_word", s, f"starts with the tail of a word broken after “{paragraphs[pi - 1][-6:]}”")
            else:
                add("fragment", s, "continues a paragraph that was broken off")
        if re.search(rf"[{HAN}][ \u3000]+[{HAN}]", s):
            add("broken_word", s, "a space inside Chinese text")
        balance = quote_balance(s)
        unmatched = quote_pairs(para)[1]
        if balance != "ok":
            add("quote", s, "quotation left open" if balance == "open" else "starts inside a quotation")
        elif any(i < at and para[i] in OPEN_QUOTES for i in unmatched) or \
                any(i >= at + len(s) and para[i] in CLOSE_QUOTES for i in unmatched):
            add("quote", s, "inside a quotation whose marks are not in the sentence")
        else:
            end = at + len(s)
            if s.rstrip()[-1:] in CLOSE_QUOTES and attribution_end(para, end, quote_pairs(para)[0]) is not None:
                add("quote", s, f"its attribution “{para[end:end + 12]}…” is cut off")
            elif s[:1] in OPEN_QUOTES and quote_pairs(s)[0].get(0) == len(s.rstrip()) - 1:
                k = starts.get((pi, at))
                after = body[k + 1][2] if k is not None and k + 1 < len(body) else None
                shown_next = summary.index(s) + 1 < len(summary) and summary[summary.index(s) + 1] == after
                if after is not None and not shown_next:
                    add("quote", s, "a quotation and nothing else, shown without the sentence that says who said it")
            if before and before[-1] in CLOSE_QUOTES and before[-2:-1] in list(STOPS + "…") \
                    and _SPEECH_ONLY.match(s.split("，")[0].rstrip("。！？!?")) and attribution_end(para, at, quote_pairs(para)[0]):
                add("quote", s, "an attribution without its quotation")
            if end >= len(para) and s.rstrip()[-1:] in CLOSE_QUOTES and pi + 1 < len(paragraphs):
                nxt = paragraphs[pi + 1]
                att = attribution_end(nxt, 0, quote_pairs(nxt)[0])
                if att is not None and (not summary[summary.index(s) + 1:] or
                                        not nxt.startswith(summary[summary.index(s) + 1][:att])):
                    add("quote", s, f"its attribution “{nxt[:12]}…” (next paragraph) is cut off")
            if at == 0 and pi > 0 and paragraphs[pi - 1].rstrip()[-1:] in CLOSE_QUOTES \
                    and attribution_end(para, 0, quote_pairs(para)[0]) is not None:
                prev_quote = body[starts[(pi, 0)] - 1][2] if (pi, 0) in starts and starts[(pi, 0)] else ""
                if prev_quote not in summary[: summary.index(s)]:
                    add("quote", s, "an attribution without its quotation (previous paragraph)")
        if pi in heads or (pi in runin and at <= 1) or (s.strip() == para and headlike(s) and pi in runin):
            add("subhead", s, "a cross-head, not a sentence")
        if s in captions or is_credit(s) or any(n in s and re.search(r"记者|通讯员|摄|記者|攝", s) for n in byline_names):
            add("furniture", s, "byline, credit, caption or layout text")
        k = starts.get((pi, at))
        if k is None:  # not at a sentence start of the body's own split: find the sentence holding it
            k = max((j for j, (q, a, _) in enumerate(body) if (q, a) <= (pi, at)), default=None)
        if k is not None:
            here = list(texts)
            here[k] = script.to_simplified(s)
            ante = cohesion.antecedent(here, k, script.to_simplified(title), hd, persons, layout)
            if ante == cohesion.UNRESOLVED:
                add("dangling", s, "leans on nothing the reader has")
            elif ante is not None and ante >= 0 and ante not in shown:
                add("dangling", s, f"leans on “{body[ante][2][:16]}…”, which is not shown before it")
            shown.append(k)
    return out


def check_file(path: str) -> list[Defect]:
    """Defects of every article in one ``digest summarize --json`` file (``-``: standard input)."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    data = json.loads(text)
    arts = data.get("articles", []) if isinstance(data, dict) else data
    name = data.get("source", path) if isinstance(data, dict) else path
    out: list[Defect] = []
    for i, art in enumerate(arts):
        out += check_article(art, str(name), i)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m digest.eval.defects", description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help="JSON written by `digest summarize PAGE --json` (- for stdin)")
    ap.add_argument("--json", action="store_true", help="print the defects as JSON lines")
    args = ap.parse_args(argv)
    defects: list[Defect] = []
    for f in args.files:
        try:
            defects += check_file(f)
        except (OSError, ValueError, AttributeError) as exc:
            print(f"error: {f}: {exc}\n  hint: give the output of `digest summarize PAGE --json`", file=sys.stderr)
            return 2
    for d in defects:
        print(json.dumps(asdict(d), ensure_ascii=False) if args.json else str(d))
    counts = Counter(d.kind for d in defects)
    print("defects: " + (", ".join(f"{k} {counts[k]}" for k in KINDS if counts[k]) or "none")
          + f" ({len(defects)} in {len(args.files)} file(s))", file=sys.stderr)
    return 1 if defects else 0


if __name__ == "__main__":
    sys.exit(main())
