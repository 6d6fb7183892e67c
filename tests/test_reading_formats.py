"""Export and app shapes of a page (all text invented): field-labelled e-paper text exports,
web/app chrome around stories (menus, 发布/更新 lines, WeChat post furniture), and the issue
dates such pages print (date ranges of weeklies, post date lines, 日期 fields)."""
from __future__ import annotations

import datetime as dt

from digest.reading import issue_date, read_text
from digest.reading.formats import to_document
from digest.reading.furniture import line_reason


def arts(text: str):
    return [a for a in read_text(text).articles if a.duplicate_of is None]


def labels(text: str) -> dict[int, str]:
    return {ln.no: ln.label for ln in read_text(text).labels}


# -- field-labelled e-paper text exports ---------------------------------------------------------

EXPORT = """版面：第03版　城建
日期：2026-02-17
==============================
1.
引题：老城更新再提速
标题：青梧区十二条背街小巷完成改造
副题：——新增停车位四百余个
作者：本报记者 闻照川 通讯员 祁安
正文：
　　16日，记者从青梧区住建局了解到，该区今年首批十二条背街小巷改造工程已全部完工，新增停车位四百余个。
　　改造中，施工方统一规整了架空线缆，更换了破损路面，并在巷口增设了路灯和休息座椅。
------------------------------
2.
引题：
标题：城东污水处理厂扩建工程开工
副题：
作者：柯望舒
正文：
　　城东污水处理厂扩建工程日前开工，建成后日处理能力将由五万吨提高到八万吨。
------------------------------
3.
引题：
标题：让小巷留住烟火气
副题：
作者：岑书言（作者系青梧学院城市规划系副教授）
正文：
　　背街小巷改造，不只是修路换灯，更要留住街坊邻里的生活气息。
　　改造方案征求居民意见越充分，改出来的小巷就越有人情味。
------------------------------
4.
引题：
标题：青梧发布今年第一批重点工程清单
副题：
作者：
正文：
　　青梧市发改委近日发布今年第一批重点工程清单，共六十八个项目，总投资四百二十亿元。
------------------------------
"""


def test_export_fields_become_titles_bylines_and_bodies():
    got = arts(EXPORT)
    assert [a.title for a in got] == [
        "老城更新再提速 | 青梧区十二条背街小巷完成改造 | ——新增停车位四百余个",
        "城东污水处理厂扩建工程开工",
        "让小巷留住烟火气",
        "青梧发布今年第一批重点工程清单",
    ]
    assert [a.byline for a in got] == ["闻照川 祁安", "柯望舒", "岑书言", None]
    assert got[0].paragraphs[0].startswith("16日，记者从青梧区住建局")
    assert got[2].paragraphs[0].startswith("背街小巷改造")
    text = "\n".join(a.body + (a.title or "") for a in got)
    for field in ("版面", "日期", "引题：", "标题：", "副题：", "作者", "正文", "====", "系青梧学院"):
        assert field not in text


def test_export_empty_fields_numbers_and_header_are_furniture():
    lab = labels(EXPORT)
    lines = EXPORT.split("\n")
    for no, s in enumerate(lines, 1):
        if s.strip() in ("1.", "2.", "引题：", "副题：", "作者：", "正文：") or s.startswith(("版面：", "日期：", "====")):
            assert lab.get(no) == "furniture", (no, s, lab.get(no))


def test_export_date_field_is_the_printed_issue_date():
    d = issue_date([EXPORT])
    assert d.date == dt.date(2026, 2, 17) and d.rule == "printed"
    assert read_text(EXPORT).printed_date == dt.date(2026, 2, 17)


def test_export_detection_needs_title_and_body_fields():
    # a web copy's metadata line (作者：/来源：) is not an export: its lines are left alone
    web = "青梧区启动老旧小区加装电梯\n\n作者：闻照川　来源：青梧日报\n\n　　记者近日获悉，青梧区今年将为三十个老旧小区加装电梯。\n"
    assert to_document(web).format != "export"
    assert to_document(EXPORT).format == "export"


# -- web and app chrome ----------------------------------------------------------------------------

def test_menu_of_section_names_is_furniture():
    assert line_reason("首页 | 本地 | 两岸 | 国际 | 财经 | 体坛 | 评论") is not None
    assert line_reason("本地｜两岸｜国际｜财经｜文娱") is not None
    # a headline with one bar is not a menu
    assert line_reason("青梧区启动老旧小区加装电梯 | 三十个小区今年完工") is None
    # nor is the header row of a Markdown pipe table (opened and closed by a bar)
    assert line_reason("| 品种 | 产地 | 单价 | 涨跌 |") is None


def test_publish_and_update_lines_are_furniture():
    assert line_reason("发布 / 2026年2月17日 6:05 AM") is not None
    assert line_reason("更新/2026年2月17日 10:48 AM") is not None
    assert line_reason("更新 / 2026-02-17 10:48") is not None


WECHAT = """原创 青梧早报 青梧早报
2026年02月17日 07:15 浙江

👆点击蓝字 关注我们

🌤早上好！今天是2月17日，星期二。一起来看今天的青梧👇

01
青梧东站新增两趟早班车

记者从青梧站务段获悉，自本月20日起，青梧东站新增两趟早班高铁，首班车提前到6点05分发车。

铁路部门提醒，春运期间车票紧张，旅客请提前购票。

来源：青梧早报

02
青梧图书馆延长开放时间

记者昨日从青梧图书馆获悉，春节假期图书馆每天开放到晚上九点，少儿阅览室照常开放。

来源：青梧早报

- END -

往期推荐
青梧这三条公交线路调整，出行前请留意→
寒假带娃去哪儿？这份清单请收好

编辑：舒晚照
审核：贺知远　林一苇

分享 收藏 点赞 在看
"""


def test_wechat_post_chrome_is_furniture():
    lab = labels(WECHAT)
    lines = WECHAT.split("\n")
    furniture_nos = [n for n, s in enumerate(lines, 1)
                     if s.startswith(("原创", "2026年02月17日", "👆", "🌤", "- END -", "往期推荐", "青梧这三条", "寒假带娃",
                                      "编辑：", "审核：", "分享 收藏"))]
    assert len(furniture_nos) == 11
    for no in furniture_nos:
        assert lab.get(no) == "furniture", (no, lines[no - 1], lab.get(no))
    got = arts(WECHAT)
    assert [a.title for a in got] == ["青梧东站新增两趟早班车", "青梧图书馆延长开放时间"]
    assert "往期推荐" not in got[-1].body and "审核" not in got[-1].body
    assert not any("一起来看" in a.body for a in got)


def test_prompt_pointing_down_is_furniture_but_a_story_line_is_not():
    assert line_reason("下面跟着小编一起看看👇") is not None
    assert line_reason("记者近日走访了城东三个社区，看到了这样一幕。") is None


def test_share_bar_and_review_credit_are_furniture():
    assert line_reason("分享 收藏 点赞 在看") is not None
    assert line_reason("审核：贺知远") is not None
    assert line_reason("- END -") is not None


# -- issue dates -----------------------------------------------------------------------------------

def test_post_date_line_is_the_printed_issue_date():
    d = issue_date([WECHAT])
    assert d.date == dt.date(2026, 2, 17) and d.rule == "printed"


WEEKLY = """青梧周末　第118期
2026年3月6日—3月12日
青梧日报社主办　每周五出版

一条老街的新生

　　走进青梧老街，青石板路两旁的老铺子重新挂起了招牌，茶馆、书店和手作坊一家挨一家。
　　改造前，这条街上的不少房子已经空置多年。

这周去哪儿

◇3月7日（周六）19:30　江畔露天电影　江滨公园北门　免费
◇3月8日（周日）9:30　亲子植树活动　城北林场　需预约
◇3月8日（周日）15:00　老街故事会　青梧图书馆一楼　免费
"""


def test_weekly_date_range_gives_its_first_day():
    d = issue_date([WEEKLY])
    assert d.date == dt.date(2026, 3, 6) and d.rule == "printed"


def test_dated_list_item_is_never_a_masthead_date():
    assert line_reason("◇3月7日（周六）19:30　江畔露天电影　江滨公园北门　免费") is None
    why = {ln.no: ln.reason for ln in read_text(WEEKLY).labels}
    assert not any("masthead" in why[no] for no in (12, 13, 14))
    assert "masthead" in why[2]


EXPORT_NEXT_LINE = """标题：
城北新建三座口袋公园
作者：
祁安　柯望舒
正文：
　　城北街道今年利用边角空地新建三座口袋公园，总面积八千余平方米，月底前全部开放。
　　公园里设置了健身步道、儿童游乐区和休息长廊。

标题：
青梧开通首条夜间旅游公交线
作者：
正文：
　　青梧首条夜间旅游公交线本周五开通，串联老街、江滨公园和夜市三个景点。
"""


def test_export_field_value_on_the_line_below_its_label():
    got = arts(EXPORT_NEXT_LINE)
    assert [a.title for a in got] == ["城北新建三座口袋公园", "青梧开通首条夜间旅游公交线"]
    assert [a.byline for a in got] == ["祁安 柯望舒", None]
    assert got[0].paragraphs[0].startswith("城北街道今年")


def test_publisher_and_publication_day_line_of_a_masthead_is_furniture():
    assert line_reason("青梧日报社主办　每周五出版") is not None
    assert line_reason("青梧晚报社主管主办") is not None
    # a headline naming an organiser is not
    assert line_reason("青梧晚报社主办读书节 三千市民参与") is None
    got = arts(WEEKLY)
    assert got[0].title == "一条老街的新生"


def test_a_word_processor_export_with_paragraph_styles():
    """Every line prefixed by its paragraph style ([引题] [标题一] [署名] [正文] [小标题] [页眉]): read
    like a field export (whole-paragraph lines, as the page's own statistics show); the running head
    and a picture's file name are furniture."""
    page = ("[页眉] 西岭日报　国防周刊　第7版\n\n"
            "[引题] 汛期将至 练兵正当时\n[标题一] 西岭民兵应急连开展防汛演练\n[署名] 本报记者 耿小翔\n"
            "[正文] 5月16日上午，西岭市青螺江畔，一场防汛抢险演练紧张展开。\n"
            "[小标题] 险情随机设置\n[正文] 此次演练的险情全部由导调组随机设置，指挥员必须在几分钟内作出处置决定。\n"
            "[正文] 西岭军分区有关负责人表示，将进一步完善军地联合应急指挥机制。\n"
            "[正文] 演练中，应急管理、水利、气象等部门与民兵应急连同步联动，提高了处置效率。\n\n"
            "[图片] IMG_20260516_0231.jpg\n\n"
            "[标题二] 国防小知识：民兵是什么？\n[正文] 民兵是不脱离生产的群众武装组织。\n\n"
            "[页脚] 责任编辑：钮青山\n")
    p = read_text(page)
    assert [(a.title, a.byline) for a in p.articles] == [
        ("汛期将至 练兵正当时 | 西岭民兵应急连开展防汛演练", "耿小翔"), ("国防小知识：民兵是什么？", None)]
    assert "险情随机设置" in p.articles[0].paragraphs
    labels = {lb.text.strip(): lb.label for lb in p.labels}
    assert labels["[图片] IMG_20260516_0231.jpg"] == labels["[页眉] 西岭日报　国防周刊　第7版"] == "furniture"
