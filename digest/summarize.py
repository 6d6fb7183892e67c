"""Extractive summaries and keywords for one article.

Pipeline per article: clean the text (join wrapped lines, drop stray spaces between Chinese
characters) -> split into sentences (closing quotes/brackets stay with their sentence; a line break
alone never ends one) -> strip leading bylines/datelines (本报讯（记者 X）, 新华社北京X月X日电) and
drop sentences that are not prose (bylines, captions, notes, headings, layout debris) -> one jieba
POS pass over the candidates (+ title) -> lead-biased, title-aware personalised TextRank ->
redundancy-aware greedy selection within the sentence/character budget -> reading order.
Keywords come from the same tokens (TextRank4Keyword's word graph, window 2, POS filter).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

from . import nlp, textrank
from .models import Article, Summary

log = logging.getLogger(__name__)

MAX_CANDIDATES = 200  # sentences ranked per article; later ones are never chosen (no O(n^2) blow-up)
MAX_CHARS_IN = 60_000  # text beyond this is ignored
MAX_SENTENCE_CHARS = 800  # a "sentence" longer than this (a run-on table or list) is never chosen
LEAD_DECAY = 2.0  # personalisation (restart) weight of sentence i: 1 / (i + 1) ** LEAD_DECAY
TITLE_WEIGHT = 2.0  # extra personalisation for sentences sharing words with the title
ALPHA = 0.7  # PageRank damping: the share of score that flows along similarity edges
LENGTH_NORM = 0.3  # final score / (chars / median chars) ** LENGTH_NORM: mild brevity preference
SEMICOLON_SPLIT = 0  # a ；/; ends a sentence once it is this long (0: always, as textrank4zh)
REDUNDANCY = 0.5  # char-bigram containment above which a sentence repeats a chosen one
MIN_HAN = 6  # a candidate needs at least this many Chinese characters

_HAN = r"\u4e00-\u9fff"
_STOPS = "。！？!?"
_CLOSERS = "”’」』）)】]》\"'"
_CJK = rf"{_HAN}，。、；：！？“”（）《》…—"
_SPACE = re.compile(rf"(?<=[{_CJK},;:()\"])[ \t\u3000\xa0]+(?=[{_HAN}])|(?<=[{_CJK}])[ \t\u3000\xa0]+(?=[{_CJK}\d])|(?<=[{_CJK}\d])[ \t\u3000\xa0]+(?=[{_CJK}])")
_SOFT_END = re.compile(r"[，、：；,:;]$")
_LINE_END = re.compile(rf"[{_STOPS}…][{re.escape(_CLOSERS)}]*$")
_HEADINGISH = re.compile(r"^(#|[□■▲◆●★☆]|!\[|\||>|-{3,}|\*\*)")

_PREFIXES = [
    re.compile(r"^本报讯\s*(?:[（(][^）)]{0,40}[）)])?\s*"),
    re.compile(rf"^本报[{_HAN}\d]{{0,14}}讯\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    re.compile(rf"^(?:新华社|中新社|中新网|人民网|新华网|央视网|央广网|本报)[{_HAN}]{{0,10}}"
               rf"(?:\d{{1,2}}月\d{{1,2}}日)?电\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    re.compile(rf"^[{_HAN}]{{0,10}}\d{{1,2}}月\d{{1,2}}日电\s*(?:[（(][^）)]{{0,40}}[）)])?\s*"),
    re.compile(rf"^[{_HAN}]{{2,6}}消息[：:]\s*"),
    re.compile(r"^【[^】]{1,24}】\s*"),
    re.compile(r"^[（(](?:记者|通讯员)[^）)]{0,30}[）)]\s*"),
]
_JUNK = [
    re.compile(r"^[（(][^（(]*[）)][。.]?$"),  # a whole parenthesised note: (作者单位：…), (课题…)
    re.compile(r"作者单位|课题编号|基金项目|责任编辑|编辑[：:]|审核[：:]|校对[：:]|来源[：:]"),
    re.compile(r"^(?:本报)?(?:特约)?(?:记者|通讯员|实习生|摄影|文/图|图/文|文|图)[\s:：/]"),
    re.compile(r"^[□■▲◆●★☆]|^(?:本报)?(?:特约)?(?:记者|通讯员|实习生|摄影)[^，。]{0,12}$"),
    re.compile(r"(?:记者|通讯员)[^，。]{0,30}(?:报道|摄)$"),
    re.compile(r"^图[为①-⑩\d]|摄$|^\S{0,12}\s*摄[）)]?$"),
    re.compile(r"!\[|\]\(|https?://|www\.|^\||\|$|^[-=*_]{3,}|^#"),
    re.compile(r"扫描二维码|扫码|关注.{0,6}公众号|下转\d+版|上接\d+版"),
]
_EMPHASIS = re.compile(r"\*\*|__")  # Markdown bold markers left by the PDF-to-text step
_NUMERIC = re.compile(r"^[\d.,%％\-+·]+$")


def clean_text(text: str) -> str:
    """The text sentences are taken from: wrapped lines joined, one paragraph per line."""
    if not text:
        return ""
    text = text[:MAX_CHARS_IN].replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    paragraphs: list[str] = []
    current = ""
    for raw in text.split("\n"):
        line = raw.strip(" \t\u3000\xa0\ufeff")
        if not line:
            # a blank line ends a paragraph, unless the text before it obviously runs on (column
            # wrapping in PDF extraction): it ends with a comma, or it is prose (has a full stop)
            # stopped mid-sentence. Headlines have neither, so they stay apart.
            runs_on = _SOFT_END.search(current) or (
                re.search(r"[。！？]", current) and not _LINE_END.search(current) and not _HEADINGISH.match(current))
            if current and not runs_on:
                paragraphs.append(current)
                current = ""
            continue
        if current and (_LINE_END.search(current) or _HEADINGISH.match(current) or _HEADINGISH.match(line)):
            paragraphs.append(current)
            current = line
        elif current:
            sep = " " if re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9,.;:]$", current) else ""
            current += sep + line
        else:
            current = line
    if current:
        paragraphs.append(current)
    return "\n".join(_SPACE.sub("", _EMPHASIS.sub("", p)) for p in paragraphs)


def split_sentences(paragraph: str, semicolon_split: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph: end at 。！？!?… (and ；/; once the sentence is
    ``semicolon_split`` long, default SEMICOLON_SPLIT), taking the closing quotes/brackets that
    follow; a terminator inside a short quotation does not split."""
    semi = SEMICOLON_SPLIT if semicolon_split is None else semicolon_split
    spans: list[tuple[int, int]] = []
    n = len(paragraph)
    start = i = 0
    depth = 0
    while i < n:
        ch = paragraph[i]
        if ch in "“「『":
            depth += 1
        elif ch in "”」』" and depth:
            depth -= 1
        stop = ch in _STOPS or (ch in "；;" and i - start >= semi)
        if ch == "…":  # ……。 / ……” / …… at the end close a sentence; "……多项指标" lists go on
            k = i
            while k < n and paragraph[k] == "…":
                k += 1
            stop = k >= n or paragraph[k] in _STOPS or paragraph[k] in _CLOSERS or paragraph[k] == "“"
        if ch == "." and 0 < i < n - 1 and not paragraph[i + 1].isascii():
            stop = not paragraph[i - 1].isascii()
        if stop and depth:  # inside a quotation: split only if it does not close soon
            run_end = i + 1
            while run_end < n and (paragraph[run_end] in _STOPS or paragraph[run_end] == "…"):
                run_end += 1
            close = paragraph.find("”", i, i + 60)
            if close > run_end and "“" not in paragraph[i:close]:
                stop = False  # 他说：“要抓项目。要促发展。”—— one sentence
        if not stop:
            i += 1
            continue
        j = i + 1
        while j < n and (paragraph[j] in _STOPS or paragraph[j] == "…"):
            j += 1
        while j < n and paragraph[j] in _CLOSERS:
            if paragraph[j] in "”」』" and depth:
                depth -= 1
            j += 1
        spans.append((start, j))
        start = i = j
        depth = max(depth, 0) if depth < 3 else 0
    if start < n:
        spans.append((start, n))
    return [(a, b) for a, b in spans if paragraph[a:b].strip()]


def _strip_prefix(sentence: str) -> str:
    for _ in range(3):
        before = sentence
        for rx in _PREFIXES:
            m = rx.match(sentence)
            if m and m.end() < len(sentence):
                sentence = sentence[m.end():].lstrip(" \u3000，,：:")
        if sentence == before:
            break
    return sentence


def _is_junk(sentence: str, last_in_paragraph: bool, banned: set[str]) -> bool:
    if sentence in banned or len(sentence) > MAX_SENTENCE_CHARS:
        return True
    if len(re.findall(rf"[{_HAN}]", sentence)) < MIN_HAN:
        return True
    if last_in_paragraph and not _LINE_END.search(sentence) and len(sentence) < 30:
        return True  # a heading or a furniture line, not prose
    return any(rx.search(sentence) for rx in _JUNK)


def candidates(text: str, banned: Sequence[str] = (), whole_only: bool = False) -> list[str]:
    """Prose sentences of cleaned text, in reading order, leading bylines/datelines stripped.

    With `whole_only` (article summaries a reader sees) a sentence that does not end — a body
    cut at the page end, a label line — is a fragment and never offered.
    """
    out: list[str] = []
    ban = {b.strip() for b in banned if b and b.strip()}
    for paragraph in text.split("\n"):
        if paragraph.strip() in ban:
            continue
        spans = split_sentences(paragraph)
        for k, (a, b) in enumerate(spans):
            s = paragraph[a:b].strip()
            if k == 0:
                s = _strip_prefix(s)
            if not _is_junk(s, k == len(spans) - 1, ban):
                out.append(s)
                if len(out) >= MAX_CANDIDATES:
                    break
        if len(out) >= MAX_CANDIDATES:
            break
    return [s for s in out if _LINE_END.search(s)] if whole_only else out


def _bigrams(s: str) -> set[str]:
    s = re.sub(rf"[^{_HAN}A-Za-z0-9]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def _select(sentences: list[str], scores: np.ndarray, k: int, max_chars: int | None) -> list[int]:
    chosen: list[int] = []
    grams: list[set[str]] = []
    used = 0
    for i in textrank.order_by_score(scores):
        if len(chosen) >= k:
            break
        g = _bigrams(sentences[i])
        if any(len(g & h) / max(1, min(len(g), len(h))) > REDUNDANCY for h in grams):
            continue  # a near-duplicate of a chosen sentence
        size = len(sentences[i])
        if max_chars is not None and chosen and used + size > max_chars:
            continue
        chosen.append(i)
        grams.append(g)
        used += size
        if max_chars is not None and used >= max_chars:
            break
    return sorted(chosen)


def _keywords(words: list[textrank.Words], text: str, flags: dict[str, str], limit: int = 6) -> tuple[str, ...]:
    ranked = textrank.rank_words([w.all_filters for w in words], [w.no_stop_words for w in words], window=2)

    def ok(w: str) -> bool:
        return len(w) >= 2 and w not in textrank.STOP_WORDS and not _NUMERIC.match(w) and not re.search(r"\d", w)

    good = [w for w, _ in ranked if ok(w)]
    # a keyphrase is a run of adjacent top keywords that recurs; keep noun phrases (建设绿色 is a
    # verb + object, not a phrase): no verb at either end
    nouny = [w for w in good[:12] if not flags.get(w, "").startswith("v")]
    phrases = [p for p in textrank.keyphrases(nouny, [w.no_filter for w in words], text) if len(p) <= 12]
    out: list[str] = phrases[:2]
    for w in good:
        if len(out) >= limit:
            break
        if not any(w in p for p in out):
            out.append(w)
    return tuple(out)


def _priors(words: list[textrank.Words], title_words: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Restart distribution (lead bias, plus title overlap) and a title factor per sentence."""
    n = len(words)
    p = 1.0 / np.arange(1, n + 1) ** LEAD_DECAY
    p /= p.sum()
    factor = np.ones(n)
    if title_words:
        sim = textrank.similarity_matrix([title_words] + [w.all_filters for w in words])[0, 1:]
        if sim.max() > 0:
            p = p + TITLE_WEIGHT * sim / sim.sum()
            factor += sim / sim.max()  # a sentence that restates the headline is the best lead
    return p, factor


def summarize_sentences(
    sentences: list[str], max_sentences: int, max_chars: int | None, title: str | None, text: str,
    short_chars: int | None = None,
) -> Summary:
    """Rank given candidate sentences (reading order) and pick the summary."""
    if not sentences:
        if not text.strip():
            return Summary((), (), "empty")
        # no whole sentence to show (a notice of label lines): still tag the article
        tokens = nlp.pos_tag(text[:MAX_CHARS_IN])
        lines: list[list[tuple[str, str]]] = [[]]
        for word, flag in tokens:
            if word == "\n":
                lines.append([])
            else:
                lines[-1].append((word, flag))
        return Summary((), _keywords([textrank.Words(g) for g in lines], text, dict(tokens)), "keywords-only")
    joined = "\n".join(sentences + ([title] if title else []))
    tokens = nlp.pos_tag(joined)
    groups: list[list[tuple[str, str]]] = [[]]
    for word, flag in tokens:  # tokens cover `joined`; "\n" is always a token of its own
        if word == "\n":
            groups.append([])
        else:
            groups[-1].append((word, flag))
    words = [textrank.Words(g) for g in groups]
    title_words = words[len(sentences)].all_filters if title and len(words) > len(sentences) else None
    words = words[: len(sentences)]
    while len(words) < len(sentences):  # never expected; keeps indices aligned if jieba surprises us
        words.append(textrank.Words(()))
    restart, title_factor = _priors(words, title_words)
    scores = textrank.rank_sentences([w.all_filters for w in words], personalization=restart, alpha=ALPHA)
    scores = scores * title_factor
    if LENGTH_NORM:
        lens = np.array([len(s) for s in sentences], dtype=float)
        scores = scores / (lens / np.median(lens)) ** LENGTH_NORM
    chosen = _select(sentences, scores, max(1, max_sentences), max_chars)
    flags = {word: flag for word, flag in tokens}
    short = ""
    if short_chars:  # the best-ranked sentence that fits the one-line budget, else the best one
        order = textrank.order_by_score(scores)
        short = sentences[next((i for i in order if len(sentences[i]) <= short_chars), order[0])]
    return Summary(tuple(sentences[i] for i in chosen), _keywords(words, text, flags), "textrank", short)


def summarize_text(
    text: str, max_sentences: int = 3, max_chars: int | None = None, title: str | None = None
) -> Summary:
    """Summary of plain text; every sentence is a substring of ``clean_text(text)``."""
    try:
        cleaned = clean_text(text or "")
        title = clean_text(title).replace("\n", " ").strip() if title else None
        return summarize_sentences(candidates(cleaned), max_sentences, max_chars, title or None, cleaned)
    except Exception:  # a summary must never take the run down
        log.exception("summarize_text failed; returning an empty summary")
        return Summary((), (), "error")


def summarize_article(article: Article, max_sentences: int = 3, max_chars: int | None = None,
                      short_chars: int | None = None) -> Summary:
    """Summary of an article's body; captions and the byline are never chosen.

    With `short_chars`, `Summary.short` is one whole sentence for one-line listings, from the same ranking.
    """
    try:
        cleaned = "\n".join(p for p in (clean_text(x) for x in article.paragraphs) if p)
        banned = [clean_text(c) for c in article.captions]
        if article.byline:
            banned.append(article.byline)
        title = " ".join((article.title or article.main_title or "").replace("|", " ").split()) or None
        return summarize_sentences(candidates(cleaned, banned, whole_only=True), max_sentences, max_chars, title,
                                   cleaned, short_chars)
    except Exception:
        log.exception("summarize_article failed; returning an empty summary")
        return Summary((), (), "error")
