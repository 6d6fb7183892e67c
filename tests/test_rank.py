import datetime as dt

from digest.models import Article, StoredArticle, Summary
from digest.rank import build_digest, find_repeats, trending

D = dt.date(2025, 6, 18)
_ids = iter(range(1, 10_000))


def sa(title, body, kind="news", keywords=(), day=D, page=1, position=0, issue_id=1):
    art = Article(title=title, byline="张三", kind=kind, paragraphs=tuple(body.split("\n")), position=position, page=page)
    first = body.split("。")[0] + "。"
    return StoredArticle(id=next(_ids), issue_id=issue_id, publication="聊城日报", issue_date=day, article=art,
                         summary=Summary((first,), tuple(keywords)))


LONG = ("聊城市召开全市重点项目建设推进会议，总结上半年项目建设情况，安排部署下半年重点工作。会议指出，"
        "项目建设是推动高质量发展的硬支撑，各县市区要坚持大抓项目、抓大项目，加快推进重点项目建设。") * 4


def test_news_beats_notice_and_caption():
    items = [sa("停水通知", "因管道维修，明日停水。特此通知。", kind="notice", keywords=("停水",), position=0),
             sa("图片新闻", "村民在田间查看玉米出苗情况。", kind="photo_caption", keywords=("玉米",), position=1),
             sa("重点项目推进会召开", LONG, keywords=("项目", "建设", "高质量发展"), position=2)]
    d = build_digest(items, "聊城日报", D, D, front_size=1)
    assert d.front_page[0].article.title == "重点项目推进会召开"
    assert sum(len(s.items) for s in d.sections) == 2


def test_same_story_twice_appears_once_with_repeat_noted():
    items = [sa("项目推进会召开", LONG, keywords=("项目",), page=1),
             sa("其他新闻", "临清运河文化节下周开幕，活动为期五天，包括运河号子展演和非遗市集。", keywords=("运河",), page=1, position=1),
             sa("项目推进会召开（转载）", LONG[:-10] + "本报记者报道。", keywords=("项目",), page=3,
                day=D + dt.timedelta(days=1), issue_id=2)]
    assert find_repeats(items) == {2: 0}
    d = build_digest(items, "聊城日报", D, D + dt.timedelta(days=1), front_size=5)
    titles = [i.article.title for i in d.front_page] + [i.article.title for s in d.sections for i in s.items]
    assert titles.count("项目推进会召开") == 1 and "项目推进会召开（转载）" not in titles
    first = next(i for i in d.front_page if i.article.title == "项目推进会召开")
    assert first.repeats == ("2025-06-19 第3版",)


def test_front_page_is_diverse():
    same_topic = [sa(f"项目建设{i}", LONG.replace("聊城市", f"第{i}县"), keywords=("项目", "建设", "推进"), position=i)
                  for i in range(4)]
    other = sa("麦收进度过半", "茌平区小麦陆续开镰，收获进度过半，预计亩产增加。农机手投入麦收，服务站免费维修。" * 4,
               keywords=("小麦", "麦收", "农机"), position=9)
    d = build_digest(same_topic + [other], "聊城日报", D, D, front_size=2)
    assert "麦收进度过半" in [i.article.title for i in d.front_page]


def test_sections_follow_issue_page_order_and_links():
    items = [sa("甲", LONG, keywords=("项目",), page=2, position=1), sa("乙", "高唐县举行夏季招聘会，一百二十家企业提供就业岗位三千余个。" * 3, keywords=("招聘",), page=2, position=0),
             sa("丙", "短讯一则，内容简单。", keywords=("短讯",), page=1, position=0)]
    d = build_digest(items, "聊城日报", D, D, front_size=0, base_url="http://127.0.0.1:8000/")
    assert [s.title for s in d.sections] == ["2025-06-18 · 第1版", "2025-06-18 · 第2版"]
    assert [i.article.title for i in d.sections[1].items] == ["乙", "甲"]
    assert d.sections[0].items[0].url == f"http://127.0.0.1:8000/article/{items[2].id}"


def test_trending_needs_a_range_and_finds_rising_terms():
    items = [sa("a", LONG, keywords=("项目",), day=D - dt.timedelta(days=6)),
             sa("b", LONG, keywords=("项目",), day=D - dt.timedelta(days=5)),
             sa("c", LONG, keywords=("防汛", "项目"), day=D - dt.timedelta(days=1)),
             sa("d", LONG, keywords=("防汛",), day=D)]
    assert trending(items, D, D) == ()
    rising = {t.keyword: t for t in trending(items, D - dt.timedelta(days=6), D)}
    assert list(rising) == ["防汛"]  # 项目 is in 1 of 2 recent articles and in 2 of 2 before: it fell
    t = rising["防汛"]
    assert (t.recent, t.recent_total, t.earlier, t.earlier_total) == (2, 2, 0, 2)
    assert t.recent_share == 1.0 and t.earlier_share == 0.0


def test_trending_ranks_by_log_likelihood_not_by_smoothing():
    """A word that went from 10 of 40 to 20 of 20 articles beats one seen twice for the first time."""
    old = D - dt.timedelta(days=20)
    items = [sa("x", LONG, keywords=("防汛",) if i < 10 else ("其他",), day=old) for i in range(40)]
    items += [sa("y", LONG, keywords=("防汛",) + (("新词",) if i < 2 else ()), day=D) for i in range(20)]
    terms = trending(items, old, D)
    assert [t.keyword for t in terms] == ["防汛", "新词"]
    assert terms[0].score > terms[1].score > 0
    assert (terms[0].recent, terms[0].earlier) == (20, 10)
    from digest.rank import _g2

    # G² of [[20, 0], [10, 30]] by hand: 2 Σ O ln(O/E)
    import math
    n, exp = 60, [[20 * 30 / 60, 20 * 30 / 60], [40 * 30 / 60, 40 * 30 / 60]]
    obs = [[20, 0], [10, 30]]
    by_hand = 2 * sum(o * math.log(o / e) for r in range(2) for o, e in zip(obs[r], exp[r]) if o)
    assert abs(_g2(20, 0, 10, 30) - by_hand) < 1e-9 and n == 60


def test_empty_range_gives_empty_digest():
    d = build_digest([], "聊城日报", D, D)
    assert d.is_empty and d.article_count == 0
