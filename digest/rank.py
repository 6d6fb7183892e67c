"""Rank a date range's articles into a Digest: front page, sections, repeats, trending keywords.

Works only on stored data (summaries and keywords computed at ingest), so building a digest
never re-runs the summariser.

Score of an article = kind weight × substance × (0.5 + centrality) × freshness, where centrality
is PageRank over the day's articles linked by keyword overlap. The front page is then chosen
by MMR (maximal marginal relevance) so that it is not five versions of one topic, and stories
printed twice (same story on two pages or two days: MinHash/Jaccard over character shingles)
appear once, with the repeat noted.
"""
from __future__ import annotations

import datetime as dt
import math
import zlib
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import numpy as np

from .models import Digest, DigestItem, Section, StoredArticle, Trend

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


def score_articles(items: Sequence[StoredArticle], end: dt.date) -> np.ndarray:
    cent = centrality(items)
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
        freshness = 1.0 / (1.0 + 0.08 * age)
        lead = 1.1 if a.page == 1 and a.position == 0 else 1.0
        scores[i] = KIND_WEIGHT.get(a.kind, 0.5) * substance * (0.5 + cent[i]) * freshness * lead
    return scores


def select_front(items: Sequence[StoredArticle], scores: np.ndarray, size: int, diversity: float = 0.35) -> list[int]:
    """MMR: take the best article, then the best that is not about the same thing as those taken."""
    kw = _keyword_sets(items)
    chosen: list[int] = []
    candidates = [i for i in np.argsort(-scores) if scores[i] > 0]
    while candidates and len(chosen) < size:
        best, best_val = None, -1e9
        for i in candidates[: 200]:
            overlap = max((len(kw[i] & kw[j]) / max(1, len(kw[i] | kw[j])) for j in chosen), default=0.0)
            val = (1 - diversity) * scores[i] - diversity * overlap * scores.max()
            if val > best_val:
                best, best_val = i, val
        chosen.append(best)
        candidates.remove(best)
    return chosen


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
    scores = score_articles(kept, end) if kept else np.zeros(0)
    base = base_url.rstrip("/")

    def item(local: int) -> DigestItem:
        s = kept[local]
        return DigestItem(stored=s, score=float(scores[local]), repeats=tuple(repeat_notes.get(keep[local], ())),
                          url=f"{base}/article/{s.id}" if base else None)

    front_idx = select_front(kept, scores, front_size) if kept else []
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
                  trending=trending(kept, start, end), trend_since=recent_part(start, end), archive_url=f"{base}/digest?from={start}&to={end}" if base else None)
