"""digest.textrank reproduces textrank4zh's ranking (run for real, networkx 3 patched here only)."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from digest import nlp, textrank

TEXT = (
    "聊城市召开全市经济运行调度会议，分析上半年经济形势，部署下一阶段重点工作。"
    "会议指出，上半年全市经济运行总体平稳，主要经济指标高于全省平均水平。"
    "会议强调，要坚持大抓项目、抓大项目，加强重点项目全周期管理；要加快传统产业改造升级！"
    "东阿阿胶、鲁西化工等重点企业生产经营稳中向好。"
    "高新技术产业产值占比达到百分之五十七点七。"
    "会议要求，各县市区要锚定全年目标任务，全力以赴拼经济、稳增长。"
    "全市上下要推动中国式现代化聊城实践迈出新步伐？"
    "临清、冠县、莘县、阳谷、东阿、高唐等县市区负责同志参加会议。"
)


@pytest.fixture(scope="module")
def tr4zh(monkeypatch_module, tmp_path_factory):
    nlp.init(tmp_path_factory.mktemp("jieba"))  # same dictionary (with our user words) for both
    from textrank4zh import TextRank4Keyword, TextRank4Sentence

    monkeypatch_module.setattr(nx, "from_numpy_matrix", nx.from_numpy_array, raising=False)
    return TextRank4Sentence, TextRank4Keyword


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _words_like_textrank4zh(sentences):
    """One jieba pass per sentence (as textrank4zh splits), our filters."""
    return [textrank.Words(nlp.pos_tag(s)) for s in sentences]


def test_sentence_ranking_equals_textrank4zh(tr4zh):
    TextRank4Sentence, _ = tr4zh
    ref = TextRank4Sentence()
    ref.analyze(TEXT, source="all_filters")
    words = _words_like_textrank4zh(ref.sentences)
    assert [w.all_filters for w in words] == ref.words_all_filters
    assert [w.no_stop_words for w in words] == ref.words_no_stop_words
    ours = textrank.rank_sentences([w.all_filters for w in words], self_loops=True)
    ref_scores = np.zeros(len(ref.sentences))
    for item in ref.key_sentences:
        ref_scores[item.index] = item.weight
    np.testing.assert_allclose(ours, ref_scores, rtol=1e-9, atol=1e-12)
    assert textrank.order_by_score(ours) == [item.index for item in ref.key_sentences]


def test_no_self_loop_ranking_equals_networkx_on_same_graph(tr4zh):
    TextRank4Sentence, _ = tr4zh
    ref = TextRank4Sentence()
    ref.analyze(TEXT, source="all_filters")
    lists = ref.words_all_filters
    graph = np.zeros((len(lists), len(lists)))
    for x in range(len(lists)):  # textrank4zh's loop, minus the diagonal
        for y in range(x + 1, len(lists)):
            graph[x, y] = graph[y, x] = textrank4zh_similarity(lists[x], lists[y])
    expected = nx.pagerank(nx.from_numpy_array(graph), alpha=0.85)
    ours = textrank.rank_sentences(lists)
    np.testing.assert_allclose(ours, [expected[i] for i in range(len(lists))], rtol=1e-9)
    assert np.all(np.diag(textrank.similarity_matrix(lists)) == 0)


def test_personalised_pagerank_equals_networkx():
    rng = np.random.default_rng(3)
    w = rng.random((12, 12)) * (rng.random((12, 12)) > 0.6)
    w = np.triu(w, 1)
    w = w + w.T
    w[5, :] = w[:, 5] = 0  # a dangling node
    p = rng.random(12)
    expected = nx.pagerank(nx.from_numpy_array(w), personalization=dict(enumerate(p)))
    np.testing.assert_allclose(textrank.pagerank(w, personalization=p), [expected[i] for i in range(12)], rtol=1e-9)


def textrank4zh_similarity(a, b):
    from textrank4zh.util import get_similarity

    return get_similarity(a, b)


def test_similarity_matrix_matches_get_similarity():
    lists = [["会议", "指出", "会议"], ["会议"], [], ["经济", "指标"], ["经济"], ["会议"]]
    sim = textrank.similarity_matrix(lists, self_loops=True)
    for i, a in enumerate(lists):
        for j, b in enumerate(lists):
            assert sim[i, j] == pytest.approx(textrank4zh_similarity(a, b))


def test_keyword_ranking_equals_textrank4zh(tr4zh):
    _, TextRank4Keyword = tr4zh
    ref = TextRank4Keyword()
    ref.analyze(TEXT, window=2, lower=False)
    words = _words_like_textrank4zh(ref.sentences)
    ours = textrank.rank_words([w.all_filters for w in words], [w.no_stop_words for w in words], self_loops=True)
    assert [w for w, _ in ours] == [item.word for item in ref.keywords]
    np.testing.assert_allclose([s for _, s in ours], [item.weight for item in ref.keywords], rtol=1e-9)
    top = [item.word for item in ref.get_keywords(12)]
    assert sorted(textrank.keyphrases(top, ref.words_no_filter, TEXT)) == sorted(ref.get_keyphrases(12))


def test_empty_inputs():
    assert textrank.rank_sentences([]).size == 0
    assert textrank.rank_words([], []) == []
    assert textrank.rank_sentences([[], []]).tolist() == [0.5, 0.5]


def test_large_sparse_graph_pagerank_equals_networkx():
    import scipy.sparse as sp

    n = textrank.DENSE_MAX + 100  # above the dense limit: the sparse iteration runs
    w = sp.triu(sp.random(n, n, density=0.01, random_state=1), 1)
    w = (w + w.T).tocsr()
    expected = nx.pagerank(nx.from_scipy_sparse_array(w), alpha=0.85)
    np.testing.assert_allclose(textrank.pagerank(w), [expected[i] for i in range(n)], rtol=1e-9)
