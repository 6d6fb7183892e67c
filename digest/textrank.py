"""TextRank for sentences and keywords, textrank4zh-compatible, on numpy 2 / networkx 3.

textrank4zh 0.3 builds a dense graph with a pure-Python O(n^2) similarity loop, calls
``networkx.from_numpy_matrix`` (removed in networkx 3) and tags every sentence three times.
This module reproduces its definitions -- the same word filters (``x`` tokens dropped, its stop
word list, its POS whitelist), the same sentence similarity
``|distinct shared words| / (log len1 + log len2)``, the same keyword co-occurrence graph
(vertices from the all-filters words, edges from adjacent no-stop-words within ``window``) and
networkx's PageRank iteration (alpha 0.85, tol 1e-6 * N on the L1 change, dangling mass sent to
the personalisation vector) -- on tokens from a single jieba pass, with a sparse similarity
product and a numpy power iteration. Unlike textrank4zh, self-loops are left out by default
(a sentence "recommending itself" only adds noise); ``self_loops=True`` gives textrank4zh's
graph exactly.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources

import numpy as np
import scipy.sparse as sp

# textrank4zh.util.allow_speech_tags
ALLOW_TAGS = frozenset(["an", "i", "j", "l", "n", "nr", "nrfg", "ns", "nt", "nz", "t", "v", "vd", "vn", "eng"])


def _load_stop_words() -> frozenset[str]:
    try:
        text = resources.files("textrank4zh").joinpath("stopwords.txt").read_text("utf-8", "ignore")
    except (OSError, ModuleNotFoundError):  # pragma: no cover - textrank4zh is a dependency
        return frozenset()
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


STOP_WORDS = _load_stop_words()

Token = tuple[str, str]
DENSE_MAX = 600  # graphs up to this many nodes are iterated as dense arrays (faster when small)


class Words:
    """One sentence's words under textrank4zh's three filters."""

    __slots__ = ("no_filter", "no_stop_words", "all_filters")

    def __init__(self, tokens: Iterable[Token]):
        self.no_filter: list[str] = []
        self.no_stop_words: list[str] = []
        self.all_filters: list[str] = []
        for word, flag in tokens:
            if flag == "x":
                continue
            w = word.strip()
            if not w:
                continue
            self.no_filter.append(w)
            if w in STOP_WORDS:
                continue
            self.no_stop_words.append(w)
            if flag in ALLOW_TAGS:
                self.all_filters.append(w)


def pagerank(
    matrix: np.ndarray | sp.spmatrix | sp.sparray,
    alpha: float = 0.85,
    personalization: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 1.0e-6,
) -> np.ndarray:
    """networkx's ``pagerank`` (scipy variant) on a weighted adjacency matrix, as a vector.

    Rows are normalised by their weight sums; dangling rows (no edges) send their mass along the
    personalisation vector (uniform when None), as networkx does. Unlike networkx this never
    raises: after ``max_iter`` it returns the last iterate.
    """
    dense = not sp.issparse(matrix) or matrix.shape[0] <= DENSE_MAX
    a = (matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix, dtype=float)) if dense else sp.csr_array(matrix, dtype=float)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    if personalization is None:
        p = np.full(n, 1.0 / n)
    else:
        p = np.asarray(personalization, dtype=float).clip(min=0.0)
        total = p.sum()
        p = p / total if total > 0 and np.isfinite(total) else np.full(n, 1.0 / n)
    s = np.asarray(a.sum(axis=1)).ravel()
    dangling = s == 0
    inv = np.zeros(n)
    inv[~dangling] = 1.0 / s[~dangling]
    if dense:
        qt = np.ascontiguousarray((a * inv[:, None]).T)  # x @ Q == Q.T @ x
    else:
        qt = (sp.diags_array(inv) @ a).T.tocsr()
    teleport = (1 - alpha) * p
    if dense:  # dangling mass folded into one step matrix: the same iterate, fewer numpy calls
        step = alpha * (qt + np.outer(p, dangling))

        def advance(x: np.ndarray) -> np.ndarray:
            return step @ x + teleport
    else:  # large sparse graph: the dense outer product would cost n^2 memory

        def advance(x: np.ndarray) -> np.ndarray:
            return alpha * (qt @ x + x[dangling].sum() * p) + teleport
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = advance(x)
        if np.abs(x - last).sum() < n * tol:
            break
    return x / x.sum()


def _incidence(word_lists: Sequence[Sequence[str]]) -> np.ndarray | sp.csr_array:
    """Binary sentence x word matrix (distinct words per sentence)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, words in enumerate(word_lists):
        for w in set(words):
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    shape = (len(word_lists), max(len(vocab), 1))
    if shape[0] * shape[1] <= 250_000:  # small: a dense 0/1 matrix is faster than scipy's set-up
        dense = np.zeros(shape)
        dense[rows, cols] = 1.0
        return dense
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=shape)


def similarity_matrix(word_lists: Sequence[Sequence[str]], self_loops: bool = False) -> np.ndarray:
    """textrank4zh's ``get_similarity`` for every pair, vectorised.

    sim(a, b) = |set(a) & set(b)| / (log len(a) + log len(b)), 0 when nothing is shared or the
    denominator is 0 (two one-word sentences).
    """
    n = len(word_lists)
    if n == 0:
        return np.zeros((0, 0))
    b = _incidence(word_lists)
    shared = b @ b.T
    shared = shared.toarray() if sp.issparse(shared) else shared
    lens = np.array([len(w) for w in word_lists], dtype=float)
    logs = np.log(np.where(lens > 0, lens, 1.0))
    den = logs[:, None] + logs[None, :]
    ok = (shared > 0) & (np.abs(den) >= 1e-12)
    sim = np.zeros((n, n))
    sim[ok] = shared[ok] / den[ok]
    if not self_loops:
        np.fill_diagonal(sim, 0.0)
    return sim


def rank_sentences(
    word_lists: Sequence[Sequence[str]],
    personalization: np.ndarray | None = None,
    self_loops: bool = False,
    alpha: float = 0.85,
) -> np.ndarray:
    """PageRank score per sentence (in input order) on the similarity graph."""
    return pagerank(similarity_matrix(word_lists, self_loops), alpha=alpha, personalization=personalization)


def order_by_score(scores: np.ndarray) -> list[int]:
    """Indices by descending score; ties keep reading order (textrank4zh's stable sort)."""
    return [int(i) for i in np.argsort(-np.asarray(scores), kind="stable")]


def rank_words(
    vertex_source: Sequence[Sequence[str]],
    edge_source: Sequence[Sequence[str]],
    window: int = 2,
    self_loops: bool = False,
    alpha: float = 0.85,
) -> list[tuple[str, float]]:
    """textrank4zh's ``sort_words``: (word, score) by descending score.

    Vertices are the words of ``vertex_source`` in first-seen order; two vertices are linked
    (weight 1) when they occur within ``window`` words of each other in an ``edge_source`` list.
    """
    index: dict[str, int] = {}
    for words in vertex_source:
        for w in words:
            index.setdefault(w, len(index))
    n = len(index)
    if n == 0:
        return []
    window = max(window, 2)
    rows: list[int] = []
    cols: list[int] = []
    for words in edge_source:
        ids = [index.get(w, -1) for w in words]
        for gap in range(1, window):
            for a, b in zip(ids, ids[gap:]):
                if a < 0 or b < 0 or (a == b and not self_loops):
                    continue
                rows += (a, b)
                cols += (b, a)
    # textrank4zh sets graph[i][j] = 1.0: repeated pairs do not add up
    if n <= DENSE_MAX:
        g: np.ndarray | sp.csr_array = np.zeros((n, n))
        g[rows, cols] = 1.0
    else:
        g = sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        g.sum_duplicates()
        g.data[:] = 1.0
    scores = pagerank(g, alpha=alpha)
    words = list(index)
    return [(words[i], float(scores[i])) for i in order_by_score(scores)]


def keyphrases(
    keywords: Iterable[str], sentences_no_filter: Sequence[Sequence[str]], text: str, min_occur: int = 2
) -> list[str]:
    """textrank4zh's ``get_keyphrases``: runs of adjacent keywords seen ``min_occur`` times in text.

    Returned in first-occurrence order (textrank4zh returns a set's arbitrary order).
    """
    keyset = set(keywords)
    seen: dict[str, None] = {}
    for words in sentences_no_filter:
        run: list[str] = []
        for w in list(words) + [None]:  # type: ignore[list-item]
            if w is not None and w in keyset:
                run.append(w)
                continue
            if len(run) > 1:
                seen.setdefault("".join(run), None)
            run = []
    return [p for p in seen if text.count(p) >= min_occur]
