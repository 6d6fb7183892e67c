from digest.models import Article


def _untitled(body):
    return Article(title=None, byline=None, kind="news", paragraphs=(body,))


def test_display_title_of_untitled_story_drops_lede_and_date_clause():
    art = _untitled("本报讯（记者 赵宗锋 黄振） 3月24日至25日，密克罗尼西亚联邦副总统一行来聊访问。")
    assert art.display_title == "密克罗尼西亚联邦副总统一行来聊访问"
    assert _untitled("本报讯 聊城市图书馆将于4月1日起延长开放时间，读者可以借书。").display_title == \
        "聊城市图书馆将于4月1日起延长开放时间"


def test_display_title_falls_back_to_a_marked_cut():
    art = _untitled("很长" * 30)
    assert art.display_title.endswith("…") and len(art.display_title) == 25
    assert Article(title="标题", byline=None, kind="news", paragraphs=("正文。",)).display_title == "标题"
