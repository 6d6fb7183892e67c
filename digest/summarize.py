"""Extractive summaries and keywords for articles (the summarise stage; parts in ``summarizing/``).

Per article: clean the text (``summarizing.text``) -> mark every sentence (``summarizing.sentences``:
quotations kept with their attribution, cross-heads, bylines and broken quotes never shown) ->
one jieba POS pass over the sentences and the headline, read in simplified characters
(``summarizing.script``) -> lead-biased, title-aware personalised TextRank over the sentences that
may be shown -> greedy selection within the sentence/character budget that never shows a sentence
without the one it leans on (``summarizing.cohesion``: it brings that one along, or takes another)
and skips near-duplicates -> reading order. Keywords (``summarizing.keywords``) come from the same
tokens, weighted against jieba's IDF table and the other articles summarised with it.

``summarize_articles`` summarises the articles of an issue together (their keywords are weighed
against each other); ``summarize_article`` and ``summarize_text`` do one.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import nlp, textrank
from .models import Article, Summary
from .summarizing import cohesion, keywords as kw, script
from .summarizing.sentences import Sentence, sentences_of
from .summarizing.text import clean_text, split_sentences  # noqa: F401  (public: rouge, tests)

log = logging.getLogger(__name__)

MAX_CANDIDATES = 200  # sentences ranked per article; later ones are never chosen (no O(n^2) blow-up)
LEAD_DECAY = 2.0  # personalisation (restart) weight of sentence i: 1 / (i + 1) ** LEAD_DECAY
TITLE_WEIGHT = 2.0  # extra personalisation for sentences sharing words with the title
ALPHA = 0.7  # PageRank damping: the share of score that flows along similarity edges
LENGTH_NORM = 0.3  # final score / (chars / median chars) ** LENGTH_NORM: mild brevity preference
REDUNDANCY = 0.5  # char-bigram containment above which a sentence repeats a chosen one
_HAN = r"\u4e00-\u9fff"


@dataclass
class Analysis:
    """One article read for summarising: its sentences, their tokens, the headline's words."""

    sentences: list[Sentence]
    shown: list[int]  # indices of sentences that may be shown (ranked), reading order
    tokens: list[tuple[str, str]]  # one jieba pass: every sentence, then the title, "\n" between
    words: list[textrank.Words]  # per sentence (all of them)
    title_words: list[str] | None
    analysed: str  # the text that was tagged (simplified characters)
    printed: str  # the same text as printed
    title: str | None
    byline: str | None
    persons: list[bool]  # per sentence: it names a person (a jieba nr token)

    def tag_vocabulary(self) -> set[str]:
        return set(kw.tag_words(self.tokens))


def analyse(paragraphs: Sequence[str], title: str | None = None, subheads: Sequence[int] = (),
            banned: Sequence[str] = (), byline: str | None = None, whole_only: bool = True) -> Analysis:
    """Mark the sentences of cleaned ``paragraphs`` and tag them (one jieba pass)."""
    sentences = sentences_of(paragraphs, subheads, banned, whole_only)
    shown = [i for i, s in enumerate(sentences) if s.ok][:MAX_CANDIDATES]
    if len(shown) == MAX_CANDIDATES:
        sentences = sentences[: shown[-1] + 1]
    printed = "\n".join([s.text for s in sentences] + ([title] if title else []))
    analysed = script.to_simplified(printed)
    tokens = nlp.pos_tag(analysed)
    groups: list[list[tuple[str, str]]] = [[]]
    for word, flag in tokens:  # tokens cover the text; "\n" is always a token of its own
        if word == "\n":
            groups.append([])
        else:
            groups[-1].append((word, flag))
    while len(groups) < len(sentences) + 1:  # never expected; keeps indices aligned if jieba surprises us
        groups.append([])
    words = [textrank.Words(g) for g in groups]
    title_words = words[len(sentences)].all_filters if title else None
    persons = [any(f.startswith("nr") for _, f in g) for g in groups[: len(sentences)]]
    return Analysis(sentences, shown, tokens, words[: len(sentences)], title_words, analysed, printed, title, byline,
                    persons)


def _bigrams(s: str) -> set[str]:
    s = re.sub(rf"[^{_HAN}A-Za-z0-9]", "", s)
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def _priors(words: list[textrank.Words], title_words: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Restart distribution (lead bias, plus title overlap) and a title factor per sentence.

    Both are arrays of ``len(words)``; the factor is 1 + (headline words the sentence carries) /
    (the most any sentence carries), in [1, 2].
    """
    n = len(words)
    p = 1.0 / np.arange(1, n + 1) ** LEAD_DECAY
    p /= p.sum()
    factor = np.ones(n)
    if title_words:
        sim = textrank.similarity_matrix([title_words] + [w.all_filters for w in words])[0, 1:]
        if sim.max() > 0:
            p = p + TITLE_WEIGHT * sim / sim.sum()
        # a sentence that restates the headline is the best lead: how many of the headline's words
        # it carries (not the length-normalised similarity, which would punish a long lede twice:
        # LENGTH_NORM already prefers the shorter sentence)
        heads = set(title_words)
        cover = np.array([len(heads.intersection(w.all_filters)) for w in words], dtype=float)
        if cover.max() > 0:
            factor += cover / cover.max()
    return p, factor


def _antecedents(a: Analysis) -> list[int | None]:
    texts = a.analysed.split("\n")[: len(a.sentences)]
    if len(texts) < len(a.sentences):
        texts += [s.text for s in a.sentences[len(texts):]]
    heads = [s.heading for s in a.sentences]
    title = a.analysed.split("\n")[-1] if a.title else None
    skip = [s.why == "junk" for s in a.sentences]
    return [cohesion.antecedent(texts, i, title, heads, a.persons, skip) if s.ok else None
            for i, s in enumerate(a.sentences)]


def _group(i: int, ante: list[int | None], a: Analysis, chosen: set[int]) -> list[int] | None:
    """Sentence i with what it cannot be shown without, not chosen yet, in reading order: the
    sentences it leans on, and a quotation's attribution in the next paragraph. None if one of them
    cannot be shown."""
    group: set[int] = set()
    todo = [i]
    while todo:
        j = todo.pop()
        if j in group or j in chosen:
            continue
        if j == cohesion.UNRESOLVED or not a.sentences[j].ok or len(group) > 3:
            return None
        group.add(j)
        s = a.sentences[j]
        for k in (ante[j], s.says, s.said_by):
            if k is not None and k != cohesion.TITLE:
                todo.append(k)
    return sorted(group)


def _alone(a: Analysis, ante: list[int | None], i: int) -> bool:
    """Sentence i reads on its own under the headline (a one-line listing shows nothing else)."""
    if ante[i] not in (None, cohesion.TITLE):  # 该镇… under a headline that names the town is fine
        title = a.analysed.split("\n")[-1] if a.title else None
        if cohesion.antecedent([a.analysed.split("\n")[i]], 0, title) != cohesion.TITLE:
            return False
    s = a.sentences[i]
    return s.says is None and s.said_by is None


def _select(a: Analysis, scores: np.ndarray, k: int, max_chars: int | None,
            ante: list[int | None]) -> list[int]:
    texts = [s.text for s in a.sentences]
    chosen: set[int] = set()
    grams: list[set[str]] = []
    used = 0
    for r in textrank.order_by_score(scores):
        if len(chosen) >= k:
            break
        group = _group(a.shown[r], ante, a, chosen)
        if group is None or len(chosen) + len(group) > k:
            continue  # leans on what cannot be shown, or needs more room than is left
        new = [_bigrams(texts[j]) for j in group]
        if any(len(g & h) / max(1, min(len(g), len(h))) > REDUNDANCY for g in new for h in grams):
            continue  # a near-duplicate of a chosen sentence
        size = sum(len(texts[j]) for j in group)
        if max_chars is not None and (chosen or len(group) > 1) and used + size > max_chars:
            continue
        chosen.update(group)
        grams.extend(new)
        used += size
        if max_chars is not None and used >= max_chars:
            break
    return sorted(chosen)


def _keywords(a: Analysis, background: kw.Background | None) -> tuple[str, ...]:
    # tags come from the story's text: not from its credits, notes and layout debris (作者系…高级教师,
    # 新华社记者 X 摄), which the sentence marking calls junk
    keep = [s.why != "junk" for s in a.sentences]
    if all(keep):
        words, tokens = a.words, a.tokens
    else:
        words = [w for w, k in zip(a.words, keep) if k]
        tokens, sentence = [], 0
        for tok in a.tokens:
            if tok[0] == "\n":
                sentence += 1
                if sentence <= len(keep) and keep[sentence - 1]:
                    tokens.append(tok)
            elif sentence >= len(keep) or keep[sentence]:
                tokens.append(tok)
    tags = kw.keywords(words, tokens, script.to_simplified(a.title or ""), a.byline, background)
    return tuple(script.printed_form(t, a.analysed, a.printed) for t in tags)


def finish(a: Analysis, max_sentences: int = 3, max_chars: int | None = None, short_chars: int | None = None,
           background: kw.Background | None = None) -> Summary:
    """Rank the analysed article's sentences and pick the summary (see the module doc)."""
    if not a.shown:
        if not a.tokens:
            return Summary((), (), "empty")
        return Summary((), _keywords(a, background), "keywords-only")  # label lines only: still tag it
    words = [a.words[i] for i in a.shown]
    texts = [a.sentences[i].text for i in a.shown]
    restart, title_factor = _priors(words, a.title_words)
    scores = textrank.rank_sentences([w.all_filters for w in words], personalization=restart, alpha=ALPHA)
    scores = scores * title_factor
    if LENGTH_NORM:
        lens = np.array([len(s) for s in texts], dtype=float)
        scores = scores / (lens / np.median(lens)) ** LENGTH_NORM
    ante = _antecedents(a)
    chosen = _select(a, scores, max(1, max_sentences), max_chars, ante)
    short = ""
    if short_chars:  # the best-ranked standalone sentence that fits the one-line budget, else the best one
        order = [a.shown[r] for r in textrank.order_by_score(scores)]
        alone = [i for i in order if _alone(a, ante, i)] or order
        short = a.sentences[next((i for i in alone if len(a.sentences[i].text) <= short_chars), alone[0])].text
    return Summary(tuple(a.sentences[i].text for i in chosen), _keywords(a, background), "textrank", short)


def summarize_text(
    text: str, max_sentences: int = 3, max_chars: int | None = None, title: str | None = None
) -> Summary:
    """Summary of plain text; every sentence is a substring of ``clean_text(text)``."""
    try:
        cleaned = clean_text(text or "")
        title = clean_text(title).replace("\n", " ").strip() if title else None
        return finish(analyse(cleaned.split("\n"), title or None, whole_only=False), max_sentences, max_chars)
    except Exception:  # a summary must never take the run down
        log.exception("summarize_text failed; returning an empty summary")
        return Summary((), (), "error")


def _title(article: Article) -> str | None:
    return " ".join((article.title or article.main_title or "").replace("|", " ").split()) or None


def analyse_article(article: Article) -> Analysis:
    """``analyse`` with the article's headline, cross-heads, captions and byline."""
    paragraphs = [clean_text(x) for x in article.paragraphs]  # one cleaned text per paragraph: indices kept
    banned = [clean_text(c) for c in article.captions] + ([article.byline] if article.byline else [])
    a = analyse(paragraphs, _title(article), article.subheads, banned, article.byline)
    if any(c.direction == "from" for c in article.continuations) and a.shown:
        # (上接3版) and the text goes on mid-flow: its first sentence may be the tail of an
        # enumeration or a paragraph that began on the other page -- never shown
        a.sentences[a.shown[0]].why = "fragment"
        a.shown = a.shown[1:]
    return a


def summarize_article(article: Article, max_sentences: int = 3, max_chars: int | None = None,
                      short_chars: int | None = None, background: kw.Background | None = None) -> Summary:
    """Summary of an article's body; captions, the byline and cross-heads are never chosen.

    With `short_chars`, `Summary.short` is one whole sentence for one-line listings, from the same ranking.
    """
    try:
        return finish(analyse_article(article), max_sentences, max_chars, short_chars, background)
    except Exception:
        log.exception("summarize_article failed; returning an empty summary")
        return Summary((), (), "error")


def summarize_articles(articles: Sequence[Article], max_sentences: int = 3, max_chars: int | None = None,
                       short_chars: int | None = None, context: kw.Corpus | None = None) -> list[Summary]:
    """Summaries of articles printed together (an issue): keywords weighed against each other.

    One jieba pass per article; a word most of these articles use -- or most of ``context``'s
    texts (other pages and stored articles of the paper) -- is no tag for any of them.
    An article that fails gets ``Summary((), (), "error")``; the others go on.
    """
    analyses: list[Analysis | None] = []
    for art in articles:
        try:
            analyses.append(analyse_article(art))
        except Exception:
            log.exception("summarize_articles: reading %r failed", art.display_title)
            analyses.append(None)
    background = kw.Background((a.tag_vocabulary() for a in analyses if a is not None), context)
    out: list[Summary] = []
    for a in analyses:
        try:
            out.append(finish(a, max_sentences, max_chars, short_chars, background) if a else Summary((), (), "error"))
        except Exception:
            log.exception("summarize_articles: ranking failed")
            out.append(Summary((), (), "error"))
    return out
