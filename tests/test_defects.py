"""digest.eval.defects: each kind of defect on invented articles, a clean summary, and the command."""
from __future__ import annotations

import json

import pytest

from digest.eval import defects

BODY = [
    "本报讯（记者 李青）3月2日，桐湾县杉岭镇召开春耕生产推进会，部署全镇春耕备耕工作。",
    "该镇今年计划种植小麦两万亩，比去年增加一成。农机服务中心已检修各类农机一百二十台。",
    "“这是初级班，学员年龄最小的仅有6岁。”王老师告诉记者。书法班每周开课两次。",
    "她说：“学习书法让我内心安宁。每天练字两个小时。",
    "聚力民生保障攻坚突破。全镇新建村级养老服务站五处，照料老人三百余人。",
    "聚力作风建设攻坚突破。全镇开展作风整顿，查处问题十二个。",
    "本报记者 李青 摄",
    "下一步，杉岭镇将扩大托管服务面积，推动粮食稳产增收。",
    "市文联举办书法展览，展出作品一百余幅，其中包括青年书法家王小明的论",
    "文，祝贺其当选市书法家协会副主席。展览将持续到月底。",
]


def check(summary, body=BODY, **extra):
    art = {"title": "杉岭镇部署春耕生产", "byline": "李青", "body": "\n".join(body), "captions": [], "summary": summary}
    art.update(extra)
    return defects.check_article(art, "page.txt", 0)


def kinds(summary, **kw):
    return sorted({d.kind for d in check(summary, **kw)})


def test_a_clean_summary_has_no_defect():
    assert check(["3月2日，桐湾县杉岭镇召开春耕生产推进会，部署全镇春耕备耕工作。",
                  "该镇今年计划种植小麦两万亩，比去年增加一成。",
                  "“这是初级班，学员年龄最小的仅有6岁。”王老师告诉记者。"]) == []


def test_duplicate():
    s = "农机服务中心已检修各类农机一百二十台。"
    assert kinds([s, s]) == ["duplicate"]


@pytest.mark.parametrize("sentence", [
    "桐湾县杉岭镇召开春耕生产推进会",  # no sentence end
    "部署全镇春耕备耕工作。",  # starts mid-sentence
    "全镇新建村级养老服务站六处。",  # not in the body
])
def test_fragment(sentence):
    assert "fragment" in kinds([sentence])


@pytest.mark.parametrize("sentence,detail", [
    ("“这是初级班，学员年龄最小的仅有6岁。”", "attribution"),
    ("王老师告诉记者。", "without its quotation"),
    ("她说：“学习书法让我内心安宁。", "left open"),
    ("每天练字两个小时。", "inside a quotation"),
])
def test_quote(sentence, detail):
    found = [d for d in check([sentence]) if d.kind == "quote"]
    assert found and detail in found[0].detail


def test_dangling():
    assert kinds(["该镇今年计划种植小麦两万亩，比去年增加一成。"]) == ["dangling"]
    assert kinds(["下一步，杉岭镇将扩大托管服务面积，推动粮食稳产增收。"]) == ["dangling"]
    # with the sentence it leans on shown before it: fine
    assert kinds(["3月2日，桐湾县杉岭镇召开春耕生产推进会，部署全镇春耕备耕工作。",
                  "该镇今年计划种植小麦两万亩，比去年增加一成。"]) == []


def test_subhead():
    assert kinds(["聚力民生保障攻坚突破。"]) == ["subhead"]
    body = BODY[:2] + ["春耕有保障", "全镇新建村级养老服务站五处，照料老人三百余人。"]
    assert "subhead" in kinds(["春耕有保障"], body=body)
    assert kinds(["全镇新建村级养老服务站五处，照料老人三百余人。"], body=body) == []
    assert kinds(["春耕有保障。"], body=BODY[:2] + ["春耕有保障。"] + BODY[2:3], subheads=[2]) == ["subhead"]


def test_furniture():
    assert "furniture" in kinds(["本报记者 李青 摄"])
    assert "furniture" in kinds(["书法班每周开课两次。"], captions=["书法班每周开课两次。"])


def test_broken_word():
    assert kinds(["文，祝贺其当选市书法家协会副主席。"]) == ["broken_word"]
    body = ["茌平 区文化馆举办非遗公开课，孩子们学做土陶。"]
    assert kinds(["茌平 区文化馆举办非遗公开课，孩子们学做土陶。"], body=body) == ["broken_word"]


def test_command_exit_codes_and_counts(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"source": "p.txt", "articles": [
        {"title": "t", "body": "\n".join(BODY), "summary": ["书法班每周开课两次。"]}]}, ensure_ascii=False), "utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"source": "q.txt", "articles": [
        {"title": "t", "body": "\n".join(BODY), "summary": ["王老师告诉记者。", "王老师告诉记者。"]}]},
        ensure_ascii=False), "utf-8")
    assert defects.main([str(good)]) == 0
    assert defects.main([str(good), str(bad), "--json"]) == 1
    out, err = capsys.readouterr()
    lines = [json.loads(x) for x in out.splitlines()]
    assert {x["kind"] for x in lines} == {"quote", "duplicate"} and all(x["source"] == "q.txt" for x in lines)
    assert "duplicate 1" in err
    (tmp_path / "broken.json").write_text("{not json", "utf-8")
    assert defects.main([str(tmp_path / "broken.json")]) == 2


def test_a_sentence_after_any_papers_dateline_or_credit_is_no_fragment():
    """The summariser strips 記者X報道： and X晚报讯（记者 Y） (strip_prefix); the checker called the
    sentence after them one that starts mid-sentence."""
    body = ["記者區樂晴報道：海濱長廊將於每逢周六、日晚上舉辦夜市，設有約60個攤位。",
            "南屿晚报讯（记者甘若溪）11日，市人社局启动高温津贴专项检查。"]
    assert check(["海濱長廊將於每逢周六、日晚上舉辦夜市，設有約60個攤位。"], body=body) == []
    assert check(["11日，市人社局启动高温津贴专项检查。"], body=body) == []
    assert "fragment" in kinds(["設有約60個攤位。"], body=body)


def test_a_bare_quotation_shown_without_who_said_it():
    body = ["回迁小区有了新物业。“想管好回迁小区，得揣着一颗公心。”高鹏是小区物业负责人。"]
    assert "quote" in kinds(["“想管好回迁小区，得揣着一颗公心。”"], body=body)
    assert check(["“想管好回迁小区，得揣着一颗公心。”", "高鹏是小区物业负责人。"], body=body) == []


def test_the_last_item_of_an_enumeration_shown_alone_is_a_fragment():
    body = ["今年要抓好三件事：完善城市路网，打通断头路；提升公交服务；建成市城区大外环，抓好国省道干线公路改造。"]
    assert "fragment" in kinds(["建成市城区大外环，抓好国省道干线公路改造。"], body=body)
