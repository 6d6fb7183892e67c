"""digest.eval.rouge: hand-computed character ROUGE, and the evaluation on ../shared."""
from __future__ import annotations

from pathlib import Path

import pytest

from digest.eval import rouge

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_tokens_are_characters_without_punctuation_or_space():
    assert rouge.tokens("聊城， 水城！ＡＢ 12") == ["聊", "城", "水", "城", "a", "b", "1", "2"]


def test_hand_computed_pair():
    # candidate 聊城市召开会议 (7 tokens) vs reference 聊城召开大会 (6 tokens)
    # R1: overlap 聊城召开会 = 5 -> P 5/7, R 5/6, F1 = 2*5/(7+6) = 10/13
    # R2: cand bigrams 聊城 城市 市召 召开 开会 会议, ref 聊城 城召 召开 开大 大会 -> overlap 2
    #     P 2/6, R 2/5, F1 = 4/11
    # RL: LCS 聊城召开会 = 5 -> 10/13
    s = rouge.scores("聊城市召开会议。", "聊城，召开大会")
    assert s["R1"] == pytest.approx(100 * 10 / 13)
    assert s["R2"] == pytest.approx(100 * 4 / 11)
    assert s["RL"] == pytest.approx(100 * 10 / 13)


def test_lcs_against_dynamic_programming():
    import random

    rnd = random.Random(1)
    for _ in range(200):
        a = rnd.choices("abcde", k=rnd.randint(0, 30))
        b = rnd.choices("abcde", k=rnd.randint(0, 30))
        dp = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i in range(len(a)):
            for j in range(len(b)):
                dp[i + 1][j + 1] = dp[i][j] + 1 if a[i] == b[j] else max(dp[i][j + 1], dp[i + 1][j])
        assert rouge.lcs_length(a, b) == dp[-1][-1]


def test_edge_cases():
    assert rouge.scores("", "聊城") == {"R1": 0.0, "R2": 0.0, "RL": 0.0}
    assert rouge.scores("聊城", "聊城")["RL"] == pytest.approx(100.0)
    assert rouge.scores("。", "。")["R1"] == 0.0


def test_evaluate_on_a_tiny_file(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "1", "text": "聊城召开大会。会议很成功。", "summary": "聊城召开大会"}\n', "utf-8")
    res = rouge.evaluate(data, 1, systems=("digest", "lead"))
    assert res["n"] == 1
    assert res["lead"]["RL"] == pytest.approx(100 * 2 * 6 / (6 + 6))
    assert res["digest"]["R1"] > 0


@pytest.mark.skipif(not (SHARED / "eval" / "lcsts.jsonl").is_file(), reason="../shared/eval is absent (not a dev checkout)")
def test_digest_beats_lead_on_lcsts_sample():
    res = rouge.evaluate(SHARED / "eval" / "lcsts.jsonl", 1, limit=200, systems=("digest", "lead", "textrank4zh"))
    assert res["digest"]["RL"] > res["lead"]["RL"]
    assert res["digest"]["RL"] > res["textrank4zh"]["RL"]


def test_halves_split_documents_by_position(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(f'{{"id": "{i}", "text": "t", "summary": "s"}}\n' + ("\n" if i == 2 else "")
                            for i in range(5)), "utf-8")
    assert [r["id"] for r in rouge.load(data)] == ["0", "1", "2", "3", "4"]
    assert [r["id"] for r in rouge.load(data, half="even")] == ["0", "2", "4"]
    assert [r["id"] for r in rouge.load(data, half="odd")] == ["1", "3"]
    assert [r["id"] for r in rouge.load(data, limit=1, half="odd")] == ["1"]


def test_margin_is_over_the_best_baseline_with_a_paired_standard_error():
    per_doc = {"digest": [30.0, 20.0, 40.0], "lead": [28.0, 20.0, 36.0], "textrank4zh": [10.0, 10.0, 10.0]}
    m = rouge.margin(per_doc, ("digest", "lead", "textrank4zh"))
    # differences to Lead (the best baseline): 2, 0, 4 -> mean 2, sample sd 2, s.e. 2 / sqrt(3)
    assert m["baseline"] == "lead"
    assert m["RL"] == pytest.approx(2.0)
    assert m["se"] == pytest.approx(2.0 / 3 ** 0.5)
    assert rouge.margin(per_doc, ("lead", "textrank4zh")) is None


def test_evaluate_reports_the_margin(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "1", "text": "聊城召开大会。会议很成功。", "summary": "聊城召开大会"}\n'
                    '{"id": "2", "text": "东阿举行庙会。游客很多。", "summary": "东阿庙会游客多"}\n', "utf-8")
    res = rouge.evaluate(data, 1, systems=("digest", "lead"))
    assert res["margin"]["baseline"] == "lead"
    assert res["margin"]["RL"] == pytest.approx(res["digest"]["RL"] - res["lead"]["RL"])
