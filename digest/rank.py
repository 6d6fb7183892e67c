"""Rank a date range's articles into a Digest: front page, sections, repeats, trending keywords.

Works only on stored data (summaries and keywords computed at ingest), so building a digest
never re-runs the summariser.

Score of an article = kind weight × substance × (1 + centrality) × freshness × prominence, where
centrality is PageRank over the day's articles linked by keyword overlap and prominence is the
paper's own ranking (page, place on the page, lead story, staff dateline, brief; see `prominence`).
The front page is then chosen by MMR (maximal marginal relevance) so that it is not five versions
of one topic, and set in the order a paper would: news before commentary, notices and photos last.
Stories printed twice (same story on two pages or two days: MinHash/Jaccard over character
shingles) appear once, with the repeat noted. How far the ranking agrees with the printed order is
measured by digest/eval/ranking.py (figures in the README).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import zlib
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import numpy as np

from .models import Digest, DigestItem, Section, StoredArticle, Trend

# Front-page order by kind: news (and interviews, report excerpts) first, then commentary, then the rest.
KIND_TIER = {"news": 0, "interview": 0, "report_excerpt": 0, "commentary": 1, "notice": 2, "photo_caption": 2}
KIND_WEIGHT = {"news": 1.0, "interview": 0.9, "commentary": 0.75, "report_excerpt": 0.6,
               "notice": 0.35, "photo_caption": 0.25}
DUP_THRESHOLD = 0.5  # estimated Jaccard over 4-character shingles above which two stories are one story
_SHINGLE = 4
_PERMS = 32
_BANDS = 8
_rng = np.random.default_rng(20250326)
_A = _rng.integers(1, (1 << 31) - 1, size=_PERMS, dtype=np.int64)
_B = _rng.integers(0, (1 << 31) - 1, size=_PERMS, dtype=np.int64)
_PRIME = (1 << 31) - 1


def _norm(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def shingles(text: str) -> set[int]:
    t = _norm(text)
    if len(t) < _SHINGLE:
        return {zlib.crc32(t.encode())} if t else set()
    return {zlib.crc32(t[i:i + _SHINGLE].encode()) for i in range(len(t) - _SHINGLE + 1)}


def _signature(sh: set[int]) -> np.ndarray:
    if not sh:
        return np.full(_PERMS, _PRIME, dtype=np.int64)
    x = np.fromiter(sh, dtype=np.int64, count=len(sh))
    return ((np.outer(_A, x) + _B[:, None]) % _PRIME).min(axis=1)


def signature(text: str) -> bytes:
    """MinHash signature of a text's 4-character shingles (stored with each article at ingest)."""
    sh = shingles(text)
    if len(sh) < 8:
        return b""  # too short to call anything a repeat of it
    return _signature(sh).astype("<u4").tobytes()


def find_repeats(items: Sequence[StoredArticle]) -> dict[int, int]:
    """Map index of each repeated story to the index of its first printing.

    LSH over MinHash signatures (stored at ingest; computed here for items without one), then the
    signatures' agreement as the Jaccard estimate: linear in the number of articles.
    """
    sigs: list[np.ndarray | None] = []
    for s in items:
        raw = s.minhash or signature(s.article.body)
        sigs.append(np.frombuffer(raw, dtype="<u4") if len(raw) == 4 * _PERMS else None)
    buckets: dict[bytes, list[int]] = defaultdict(list)
    rows = _PERMS // _BANDS
    for i, sig in enumerate(sigs):
        if sig is None:
            continue
        for b in range(_BANDS):
            buckets[bytes([b]) + sig[b * rows:(b + 1) * rows].tobytes()].append(i)
    parent: dict[int, int] = {}
    for members in buckets.values():
        if len(members) < 2:
            continue
        first = members[0]
        for j in members[1:]:
            if j in parent or j == first:
                continue
            if float(np.mean(sigs[first] == sigs[j])) >= DUP_THRESHOLD:
                parent[j] = parent.get(first, first)
    return parent


def _pagerank(weights: np.ndarray, damping: float = 0.85, tol: float = 1e-8, max_iter: int = 200) -> np.ndarray:
    n = weights.shape[0]
    if n == 0:
        return np.zeros(0)
    out = weights.sum(axis=1)
    scores = np.full(n, 1.0 / n)
    dangling = out == 0
    trans = np.divide(weights, out[:, None], out=np.zeros_like(weights), where=out[:, None] > 0)
    for _ in range(max_iter):
        new = (1 - damping) / n + damping * (scores @ trans + scores[dangling].sum() / n)
        if np.abs(new - scores).sum() < tol:
            return new
        scores = new
    return scores


def _keyword_sets(items: Sequence[StoredArticle]) -> list[set[str]]:
    out = []
    for s in items:
        words = set(s.summary.keywords)
        if s.article.main_title or s.article.title:
            words |= {w for w in s.summary.keywords if w in (s.article.title or "")}
        out.append(words)
    return out


def centrality(items: Sequence[StoredArticle]) -> np.ndarray:
    """PageRank over articles linked by keyword overlap (Jaccard), computed per issue date."""
    scores = np.zeros(len(items))
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for i, s in enumerate(items):
        by_day[s.issue_date].append(i)
    kw = _keyword_sets(items)
    for idx in by_day.values():
        n = len(idx)
        if n == 1:
            scores[idx[0]] = 1.0
            continue
        w = np.zeros((n, n))
        for a in range(n):
            ka = kw[idx[a]]
            if not ka:
                continue
            for b in range(a + 1, n):
                kb = kw[idx[b]]
                inter = len(ka & kb)
                if inter:
                    w[a, b] = w[b, a] = inter / len(ka | kb)
        pr = _pagerank(w)
        pr = pr / pr.max() if pr.max() > 0 else pr
        for local, i in enumerate(idx):
            scores[i] = pr[local]
    return scores


def content_scores(items: Sequence[StoredArticle], end: dt.date, start: dt.date | None = None) -> np.ndarray:
    """What the stories say, without where the paper put them: kind × substance × (1 + centrality) × freshness.

    Freshness is 1 / (1 + 0.08 a), a = the story's age in days before `end`, scaled down for ranges
    longer than a week (a × 7 / days in the range): a year's digest does not become its last week's.
    """
    cent = centrality(items)
    span = (end - start).days + 1 if start is not None else 1
    age_scale = 7.0 / max(7, span)
    scores = np.zeros(len(items))
    for i, s in enumerate(items):
        a = s.article
        chars = len(a.body)
        substance = min(1.0, math.log1p(chars) / math.log1p(1200))
        if not a.title:
            substance *= 0.6
        if not s.summary.sentences:
            substance *= 0.3
        age = max(0, (end - s.issue_date).days)
        freshness = 1.0 / (1.0 + 0.08 * age * age_scale)
        scores[i] = KIND_WEIGHT.get(a.kind, 0.5) * substance * (1.0 + cent[i]) * freshness
    return scores


# A story's own dateline as a staff or wire report: 本报讯, 本报聊城讯, 本报合肥18日电, 【本報消息】, 新华社北京3月4日电
_STAFF_LEDE = re.compile(r"^\s*[【\[(（]?\s*(本[报報][讯訊]|本[报報][^\s，。,]{1,10}[讯訊电電]|本[报報]消息|"
                         r"新[华華]社[^\s，。,]{0,12}[电電])")
PAGE_DECAY = 0.2  # page p weighs 1 / (1 + PAGE_DECAY (p - 1)): page 1 = 1, page 2 = 0.83, page 8 = 0.42
PLACE_DECAY = 0.5  # the k-th story of a page (0-based) weighs 1 / (1 + PLACE_DECAY k)
BRIEF_CHARS = 120  # a story this short, not its page's lead, is a brief


def is_staff_report(article) -> bool:
    """True when the story opens with (or is filed under) a staff or wire dateline such as 本报讯."""
    first = article.paragraphs[0] if article.paragraphs else ""
    return bool(_STAFF_LEDE.match(first) or _STAFF_LEDE.match(article.dateline or ""))


def prominence(items: Sequence[StoredArticle]) -> np.ndarray:
    """Where the paper put each story, as a weight in (0, 1]: its editors' own ranking.

    page weight (page 1 before page 8) × place on the page (the k-th story weighs 1 / (1 + 0.5 k),
    photo captions not counted) × 1.25 for the page's lead (its first story that is not a photo
    caption, when it is also the page's longest or opens with a staff/wire dateline such as 本报讯)
    × 1.1 for any staff/wire report × 0.7 for a brief (under 120 characters); scaled so the best is 1.
    Stories are grouped into pages by (issue, page) and ordered by `Article.position`.
    """
    out = np.zeros(len(items))
    pages: dict[tuple, list[int]] = defaultdict(list)
    for i, s in enumerate(items):
        pages[(s.issue_id, s.issue_date, s.article.page)].append(i)
    for (_issue, _day, page), idx in pages.items():
        idx.sort(key=lambda i: items[i].article.position)
        stories = [i for i in idx if items[i].article.kind != "photo_caption"]
        longest = max((len(items[i].article.body) for i in stories), default=0)
        page_w = 1.0 / (1.0 + PAGE_DECAY * (max(1, page) - 1))
        place = {i: k for k, i in enumerate(stories)}
        for i in idx:
            a = items[i].article
            k = place.get(i, len(stories))  # a caption ranks after the page's stories
            w = page_w / (1.0 + PLACE_DECAY * k)
            staff = is_staff_report(a)
            if k == 0 and stories and (staff or len(a.body) == longest):
                w *= 1.25
            if staff:
                w *= 1.1
            if k > 0 and len(a.body) < BRIEF_CHARS:
                w *= 0.7
            out[i] = w
    top = out.max() if len(out) else 0.0
    return out / top if top > 0 else out


def score_articles(items: Sequence[StoredArticle], end: dt.date, start: dt.date | None = None) -> np.ndarray:
    """Front-page score: content_scores × prominence (the paper's own order, a signal as strong as centrality)."""
    return content_scores(items, end, start) * prominence(items)


def select_front(items: Sequence[StoredArticle], scores: np.ndarray, size: int, diversity: float = 0.35) -> list[int]:
    """MMR: take the best article, then the best that is not about the same thing as those taken.

    Stories with a headline come first; untitled ones (briefs, captions, a lede whose headline was
    not in the text) fill the front page only when there are not enough headlined stories.
    """
    kw = _keyword_sets(items)
    chosen: list[int] = []
    order = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
    titled = [i for i in order if items[i].article.title]
    untitled = [i for i in order if not items[i].article.title]
    for candidates in (titled, untitled):
        _mmr(candidates, chosen, kw, scores, size, diversity)
    return chosen


def _mmr(candidates: list[int], chosen: list[int], kw: list[set[str]], scores: np.ndarray, size: int,
         diversity: float) -> None:
    while candidates and len(chosen) < size:
        best, best_val = None, -1e9
        for i in candidates[: 200]:
            overlap = max((len(kw[i] & kw[j]) / max(1, len(kw[i] | kw[j])) for j in chosen), default=0.0)
            val = (1 - diversity) * scores[i] - diversity * overlap * scores.max()
            if val > best_val:
                best, best_val = i, val
        chosen.append(best)
        candidates.remove(best)


def recent_part(start: dt.date, end: dt.date) -> dt.date | None:
    """First day of a range's recent part (its last third, at least one day); None for a one-day range."""
    days = (end - start).days + 1
    if days <= 1:
        return None
    return end - dt.timedelta(days=max(1, days // 3) - 1)


def _g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's log-likelihood ratio G² of the 2×2 table [[a, b], [c, d]] (0 when a margin is empty)."""
    n = a + b + c + d
    total = 0.0
    for obs, row, col in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        if obs:
            total += obs * math.log(obs * n / (row * col))
    return 2.0 * total


def trending(items: Sequence[StoredArticle], start: dt.date, end: dt.date, top: int = 10) -> tuple[Trend, ...]:
    """Keywords whose share of articles rose most in the range's recent part (see `recent_part`).

    For each keyword: r of the n_r articles of the recent part carry it, e of the n_e earlier ones.
    Kept when its share rose (r/n_r > e/n_e) and r >= 2 (r >= 1 when the recent part has <= 3
    articles); ranked by Dunning's log-likelihood ratio G² of the table [[r, n_r - r], [e, n_e - e]]
    (T. Dunning, "Accurate methods for the statistics of surprise and coincidence", Computational
    Linguistics 19(1), 1993; used for keyword comparison by Rayson & Garside 2000), which weighs the
    size of the rise against how many articles carry it. Returns () for a one-day range or a range
    with no article before its recent part (nothing to compare with).
    """
    cut = recent_part(start, end)
    if cut is None:
        return ()
    recent, earlier = Counter(), Counter()
    n_recent = n_earlier = 0
    for s in items:
        words = set(s.summary.keywords)
        if s.issue_date >= cut:
            recent.update(words)
            n_recent += 1
        else:
            earlier.update(words)
            n_earlier += 1
    if not n_recent or not n_earlier:
        return ()
    least = 2 if n_recent > 3 else 1
    out = []
    for word, r in recent.items():
        e = earlier.get(word, 0)
        if r < least or r * n_earlier <= e * n_recent:
            continue
        g2 = _g2(r, n_recent - r, e, n_earlier - e)
        out.append(Trend(word, r, n_recent, e, n_earlier, round(g2, 3)))
    out.sort(key=lambda t: (-t.score, -t.recent, t.keyword))
    return tuple(out[:top])


def build_digest(items: Iterable[StoredArticle], publication: str, start: dt.date, end: dt.date,
                 front_size: int = 5, base_url: str = "") -> Digest:
    items = [s for s in items if s.article.duplicate_of is None and (s.article.body or s.article.title)]
    repeats_of = find_repeats(items)
    repeat_notes: dict[int, list[str]] = defaultdict(list)
    for j, i in repeats_of.items():
        repeat_notes[i].append(f"{items[j].issue_date.isoformat()} 第{items[j].article.page}版")
    keep = [i for i in range(len(items)) if i not in repeats_of]
    kept = [items[i] for i in keep]
    scores = score_articles(kept, end, start) if kept else np.zeros(0)
    base = base_url.rstrip("/")

    def item(local: int) -> DigestItem:
        s = kept[local]
        return DigestItem(stored=s, score=float(scores[local]), repeats=tuple(repeat_notes.get(keep[local], ())),
                          url=f"{base}/article/{s.id}" if base else None)

    front_idx = select_front(kept, scores, front_size) if kept else []
    front_idx.sort(key=lambda i: KIND_TIER.get(kept[i].article.kind, 2))  # stable: score order within a tier
    front = tuple(item(i) for i in front_idx)
    taken = set(front_idx)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for local, s in enumerate(kept):
        if local not in taken:
            groups[(s.issue_date, s.issue_id, s.article.page)].append(local)
    sections = []
    for (day, _issue, page), locals_ in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        locals_.sort(key=lambda i: kept[i].article.position)
        sections.append(Section(title=f"{day.isoformat()} · 第{page}版", items=tuple(item(i) for i in locals_)))
    return Digest(publication=publication, start=start, end=end, front_page=front, sections=tuple(sections),
                  trending=trending(kept, start, end), trend_since=recent_part(start, end), archive_url=f"{base}/digest/{start}/" if base and start == end else
                  f"{base}/digest/{start}_{end}/" if base else None)  # the public archive's page (digest/archive.py)
