"""Keywords worth a click: TextRank centrality weighted against a background, whole words only.

score(w) = TextRank(w) * idf(w) / median idf * local(w)

- TextRank(w): textrank4zh's word graph (window 2) over the article's tokens (``textrank.rank_words``);
- idf(w): jieba's bundled IDF table (``jieba/analyse/idf.txt``, the one ``jieba.analyse.extract_tags``
  uses; words it lacks get its median, as jieba does), so words every text uses (发展 3.6, 工作 4.2,
  现在 4.0) sink against names and subjects (聊城 9.8, 茌平 12.8);
- local(w): the same idea over the articles summarised together (an issue, a page) and over
  other texts of the paper (``Background.texts``: the pages ingested together, a sample of the
  store's articles): log((N + 1) / df) / log(N + 1) when N >= 3 -- a word in every article of the paper
  (the city's own name in a city daily) is no tag for any of them: below ``COMMON`` (a word in
  about half of the articles or more) a word is not a tag at all.

Tags are nouns (jieba n, ns, nt, nz, vn, j, eng, and person names under the rule below), two
characters or more, no digits, used twice or more in an article of ``LONG`` characters or more
(or in its headline). A keyphrase is a whole noun compound that holds a tag and occurs
at least twice (``keyphrases``: 中小 of 中小微企业 never makes 助力中小). A person's name is a tag only when the headline names that person (the story's
subject): jieba's nr tags, a given name split from its surname (孙/nr 开开) and the byline's names
never are otherwise. A word glued to a neighbour in most of its uses is no tag: the tail of a
word jieba did not know (固/河镇), or a word closing with the prefix of the next noun (恢复原/线路).
"""
from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import textrank

NOUNS = frozenset(["n", "ns", "nt", "nz", "vn", "j", "eng", "nr", "nrfg", "nrt", "nw"])
_NAMES = ("nr", "nrfg", "nrt")
LIMIT = 6
LONG = 300  # in an article this long (characters) a tag occurs at least twice (or is in the headline)
CANDIDATES = 80  # the most central words of the word graph that are considered as tags
COMMON = 0.35  # local(w) below this (a word in about half the articles or more) is never a tag
GENERIC = 0.5  # idf(w) below this share of jieba's median idf: a word said of any story (服务 5.3 of 12.0)
# credits are furniture, never a subject: 本报记者 of a photo credit (本报记者 X 摄), 策划：X
_CREDIT = re.compile(r"^(?:本报|本刊|本台|本网)|(?:记者|通讯员|摄影|编辑)$|^(?:策划|统筹|监制|责编|美编|校对|制图|供图)$")


@functools.cache
def idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table ``({word: idf}, median idf)``, loaded once per process.

    The values are kept in tenths as small ints (Python shares those objects), and
    ``jieba.analyse`` is not imported (it would load the table a second time, as floats).
    """
    import jieba  # not jieba.analyse: importing it loads the same table again, as floats

    table: dict[str, float] = {}
    with open(Path(jieba.__file__).parent / "analyse" / "idf.txt", encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.strip().partition(" ")
            if word and value:
                table[word] = round(float(value) * 10)  # type: ignore[assignment]
    values = sorted(table.values())
    return table, float(values[len(values) // 2]) if values else 1.0


def _share(df: int, n: int) -> float:
    """log((n + 1) / df) / log(n + 1), within [0.02, 1]: 1 for a word of one text, small for all."""
    return min(max(math.log((n + 1) / max(df, 1)) / math.log(n + 1), 0.02), 1.0)


class Corpus:
    """Raw texts of the same publication (the pages ingested together, a sample of the store's
    articles). A word counts as used by a text when it occurs in it as a substring: no tokenising.
    Picklable (sent once to each worker process); counts are memoised per process."""

    def __init__(self, texts: Sequence[str] = ()):
        texts = [t for t in texts if t]
        self.n = len(texts)
        self._big = "\x00".join(texts)
        self._starts: list[int] = []
        at = 0
        for t in texts:
            self._starts.append(at)
            at += len(t) + 1
        self._memo: dict[str, int] = {}

    def __getstate__(self):
        return {**self.__dict__, "_memo": {}}

    def df(self, word: str) -> int:
        """In how many texts the word occurs (at most one scan of them; memoised)."""
        if word not in self._memo:
            df = 0
            pos = self._big.find(word) if word else -1
            while pos >= 0:
                df += 1
                doc = bisect.bisect_right(self._starts, pos)  # the next text starts at self._starts[doc]
                if doc >= len(self._starts):
                    break
                pos = self._big.find(word, self._starts[doc])
            self._memo[word] = df
        return self._memo[word]


class Background:
    """Document frequencies of the articles summarised together (``n`` documents), and optionally
    of a ``Corpus`` of the paper's other texts."""

    def __init__(self, documents: Iterable[Iterable[str]] = (), corpus: Corpus | None = None):
        self.df: Counter[str] = Counter()
        self.n = 0
        for words in documents:
            self.df.update(set(words))
            self.n += 1
        self.corpus = corpus

    def local(self, word: str) -> float:
        """1.0 for a word no other article uses, near 0 for one every article uses."""
        out = _share(self.df.get(word, 0), self.n) if self.n >= 3 else 1.0
        if self.corpus is not None and self.corpus.n >= 3:
            out = min(out, _share(self.corpus.df(word), self.corpus.n))
        return out


_LOOSE = set("的了在和与及是把被对向从为将等各每该本我这那其也都就还又并而或让使给到于由以上下中")


def _glued(i: int, tokens: Sequence[tuple[str, str]]) -> bool:
    """The word at i is the tail of a longer word jieba did not know (固/河镇 of 固河镇): the token
    before it is a lone Chinese character that is not a function word."""
    if not i:
        return False
    prev = tokens[i - 1][0]
    return len(prev) == 1 and "\u4e00" <= prev <= "\u9fff" and prev not in _LOOSE


# noun prefixes (原线路, 新城区, 老城区, 副中心, 总规划师, 前主席, 现任): a word jieba closes with one
# of them (恢复原 of 恢复原线路 is in its dictionary) is cut from the noun it begins
_PREFIXES = frozenset("原新老旧副总前现准非次")


def _prefix_glued(i: int, tokens: Sequence[tuple[str, str]]) -> bool:
    """The word at i ends with a noun prefix that begins the next token, a noun (恢复原/线路): its
    head (恢复) is a word of jieba's dictionary and the whole is no word of the text."""
    word = tokens[i][0]
    if len(word) < 3 or word[-1] not in _PREFIXES or i + 1 >= len(tokens):
        return False
    nxt, flag = tokens[i + 1]
    if flag not in _RUN or not ("\u4e00" <= nxt[:1] <= "\u9fff"):
        return False
    return _known(word[:-1])


_PLACE = re.compile(r"(?:省|市|县|縣|区|區|镇|鎮|乡|鄉|村|街道|社区|社區|湖|河|山|港|湾|灣|路|街)$")


def _is_name(i: int, tokens: Sequence[tuple[str, str]]) -> bool:
    """A person's name, or part of one: jieba's nr (but not a place it mistook: 高庄镇/nr), or a
    short word right after a surname or a name (孙/nr 开开, 赵德/nr 顺)."""
    word, flag = tokens[i]
    if flag.startswith("nr"):
        return not _PLACE.search(word)
    prev = tokens[i - 1] if i else ("", "")
    return prev[1].startswith("nr") and len(prev[0]) <= 2 and len(word) <= 2 and not _PLACE.search(prev[0])


def _known(word: str) -> bool:
    """A word of jieba's dictionary (or the user dictionary), not one its HMM guessed."""
    import jieba

    return jieba.dt.FREQ.get(word, 0) > 0


def tag_words(tokens: Sequence[tuple[str, str]]) -> list[str]:
    """The words of ``tokens`` that may be tags (document-frequency vocabulary for ``Background``)."""
    return [w for w, f in tokens if f in NOUNS and len(w) >= 2 and not re.search(r"\d", w)]


def keywords(words: Sequence[textrank.Words], tokens: Sequence[tuple[str, str]], title: str | None = None,
             byline: str | None = None, background: Background | None = None, limit: int = LIMIT) -> tuple[str, ...]:
    """Up to ``limit`` tags of one article, best first, keyphrases (at most two) leading.

    ``words``: the article's sentences under textrank's filters; ``tokens``: the jieba
    ``(word, flag)`` pass over the same text (sentences separated by "\\n" tokens).
    """
    ranked = textrank.rank_words([w.all_filters for w in words], [w.no_stop_words for w in words], window=2)
    if not ranked:
        return ()
    idf, median = idf_table()
    background = background or Background()
    title = title or ""
    banned = set((byline or "").split())
    flags: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for w, f in tokens:
        flags.setdefault(w, f)
        seen[w] += 1
    min_tf = 2 if sum(len(w) * c for w, c in seen.items()) >= LONG else 1

    def plain(w: str) -> bool:
        if len(w) < 2 or w in textrank.STOP_WORDS or flags.get(w) not in NOUNS or re.search(r"\d", w):
            return False
        if w in banned or any(w in b for b in banned) or _CREDIT.search(w):
            return False  # a byline name, a credit
        if flags[w] == "eng" and (len(w) < 3 or w.isupper() and len(w) < 4):
            return False  # MW, km: units and initials, not subjects
        if seen[w] < 2 and w not in title and len(w) >= 2 and not _known(w):
            return False  # a word jieba's HMM made up from one passage (系东 of 作者系东岚市): not trusted
        return seen[w] >= min_tf or w in title  # said once in a long article: a passing word

    candidates = [(w, s) for w, s in ranked[:CANDIDATES] if plain(w)]
    wanted = {w for w, _ in candidates}
    names: set[str] = set()
    glued: Counter[str] = Counter()
    for i, (w, _) in enumerate(tokens):
        if w in wanted:
            if _is_name(i, tokens):
                names.add(w)
            if _glued(i, tokens) or _prefix_glued(i, tokens):
                glued[w] += 1
    weight: dict[str, float] = {}
    for w, s in candidates:
        if 2 * glued[w] > seen[w] or (w in names and w not in title):
            continue  # mostly the tail of a longer word; a person the story is not about
        if idf.get(w, median) < GENERIC * median:
            continue  # 发展, 工作, 服务: said of every story, worth no click
        local = background.local(w)
        if local >= COMMON:
            weight[w] = s * idf.get(w, median) / median * local
    good = sorted(weight, key=lambda w: -weight[w])
    # a keyphrase recurs, so one of its words does: no scan of the tokens otherwise
    phrases = keyphrases(good[:12], tokens, weight) if any(seen[w] >= 2 for w in good[:12]) else []
    out: list[str] = phrases[:2]
    for w in good:
        if len(out) >= limit:
            break
        if not any(w in p for p in out):
            out.append(w)
    return tuple(out)


def _bound(tokens: Sequence[tuple[str, str]], i: int) -> bool:
    """Token i is a lone character glued to its neighbours (低 of 绿色/低/碳): the compound goes on."""
    if i < 0 or i >= len(tokens):
        return False
    w = tokens[i][0]
    return len(w) == 1 and "\u4e00" <= w <= "\u9fff" and w not in _LOOSE


_RUN = frozenset(["n", "ns", "nt", "nz", "vn", "j", "ng", "nw", "b", "an"])  # tokens a noun compound is made of


def keyphrases(keys: Sequence[str], tokens: Sequence[tuple[str, str]], weight: dict[str, float],
               min_occur: int = 2, max_chars: int = 8) -> list[str]:
    """Noun compounds holding a keyword, seen at least ``min_occur`` times, best first.

    A compound is a maximal run of 2-4 noun-like tokens (so it is never cut out of a longer
    compound: 中小 of 中小微企业 never gives 助力中小), at most ``max_chars`` long; its words need
    not be tags themselves (链式救助服务 holds the common 服务). Ranked by the summed weight of its
    keywords.
    """
    keyset = set(keys)
    counts: Counter[str] = Counter()
    value: dict[str, float] = {}
    run: list[int] = []
    for i in range(len(tokens) + 1):
        if i < len(tokens) and tokens[i][1] in _RUN and tokens[i][0].strip():
            run.append(i)
            continue
        words = [tokens[k][0] for k in run]
        phrase = "".join(words)
        lone = bool(words) and (len(words[0]) == 1 or len(words[-1]) == 1)  # 化/演练 of 实战化演练: a torn word
        if 2 <= len(run) <= 4 and len(phrase) <= max_chars and keyset.intersection(words) and not lone \
                and not re.search(r"\d", phrase) and not _bound(tokens, run[0] - 1) and not _bound(tokens, i):
            counts[phrase] += 1
            value[phrase] = sum(weight.get(w, 0.0) for w in set(words))
        run = []
    return sorted((p for p, c in counts.items() if c >= min_occur), key=lambda p: -value[p])
