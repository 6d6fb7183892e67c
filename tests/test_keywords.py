"""Keywords: weighted against a background, whole words, no private names; traditional Chinese. Invented text."""
from __future__ import annotations

from digest import nlp
from digest.models import Article
from digest.summarize import summarize_article, summarize_articles
from digest.summarizing import keywords as kw
from digest.summarizing.script import printed_form, to_simplified

GENERIC = {"发展", "建设", "工作", "坚持", "现在", "开展", "推进", "全面"}

KILN = Article(title="青石村陶瓷作坊重新开窑", byline="李青", kind="news", paragraphs=(
    "青石村的陶瓷作坊今年春天重新开窑，村民们坚持发展传统手艺，推进陶瓷工作全面开展。",
    "陶瓷作坊的老师傅王建国带着徒弟揉泥、拉坯、上釉，一窑陶瓷要烧上整整三天。",
    "村里坚持发展陶瓷产业，建设陶瓷展示馆，开展陶瓷研学工作，游客可以亲手体验拉坯。",
    "王建国说，陶瓷讲究火候，窑温差一点，釉色就完全不同。",
    "今年以来，陶瓷作坊已经接待研学团队四十多批，陶瓷产品远销省外。",
))


def test_generic_words_sink_against_the_subject():
    tags = summarize_article(KILN).keywords
    assert tags and "陶瓷" in "".join(tags[:2])
    assert not GENERIC & set(tags), tags


def test_private_names_and_byline_are_no_tags_unless_the_subject():
    tags = summarize_article(KILN).keywords
    assert not any("王建国" in t or "李青" in t for t in tags), tags
    portrait = Article(title="王建国：一辈子守着陶瓷窑", byline="李青", kind="news", paragraphs=KILN.paragraphs)
    assert "王建国" in summarize_article(portrait).keywords


def test_keyphrases_are_whole_noun_phrases():
    tokens = nlp.pos_tag("助力中小微企业纾困。助力中小微企业发展。城市绿色低碳转型。城市绿色低碳发展。")
    weight = {w: 1.0 for w, _ in tokens}
    phrases = kw.keyphrases(["助力", "中小", "城市", "绿色"], tokens, weight)
    assert "助力中小" not in phrases and "城市绿色" not in phrases
    tokens = nlp.pos_tag("陶瓷作坊开窑了。村里的陶瓷作坊有三家，陶瓷作坊生意好。")
    assert kw.keyphrases(["陶瓷", "作坊"], tokens, {w: 1.0 for w, _ in tokens}) == ["陶瓷作坊"]


def test_background_sinks_words_every_article_of_the_issue_uses():
    towns = ["高庄镇", "马集镇", "李楼镇", "张集镇"]
    crops = ["油菜", "樱桃", "茶叶", "草莓"]
    arts = [Article(title=f"{t}{c}丰收", byline=None, kind="news", paragraphs=(
        f"济宁市{t}今年{c}喜获丰收，济宁市农业部门组织专家到{t}指导{c}采收。",
        f"{t}的{c}种植面积达到三千亩，{c}合作社带动农户增收，济宁市把{c}列为特色产业。",
        f"济宁市今年还将在{t}建设{c}冷库，延长{c}销售期。")) for t, c in zip(towns, crops)]
    alone = summarize_article(arts[0]).keywords
    together = summarize_articles(arts)
    assert "济宁市" in alone  # by itself the city looks like a subject
    assert all("济宁市" not in s.keywords for s in together)
    assert all(c in "".join(s.keywords) for s, c in zip(together, crops))
    bg = kw.Background([{"济宁市", "油菜"}, {"济宁市"}, {"济宁市", "茶叶"}])
    assert bg.local("济宁市") < kw.COMMON < bg.local("油菜") == bg.local("冷库") == 1.0


TRADITIONAL = Article(title="蓮溪區長者飯堂增設晚市", byline=None, kind="news", paragraphs=(
    "【本報消息】蓮溪區社會服務中心屬下的長者飯堂，本月起增設晚市時段，每晚五時半至七時供應飯餐。",
    "該中心負責人表示，飯堂開業三年來，午市平均每日接待長者約一百八十人次。",
    "「不少長者跟我們說，晚飯自己煮太麻煩。」她說。經常光顧飯堂的長者表示，飯堂的菜式每週更換。",
    "中心正與區內兩間餐廳商討合作，計劃下半年推出送餐服務，方便行動不便的長者。",
))


def test_traditional_text_is_analysed_simplified_and_shown_as_printed():
    s = summarize_article(TRADITIONAL)
    body = TRADITIONAL.body
    assert s.sentences and all(x in body for x in s.sentences)  # printed characters, never converted
    assert s.keywords and all(k in body or k in TRADITIONAL.title for k in s.keywords), s.keywords
    assert any("飯堂" in k or "長者" in k for k in s.keywords)
    assert "該中心負責人表示，飯堂開業三年來，午市平均每日接待長者約一百八十人次。" not in s.sentences[:1] or \
        s.sentences[0].startswith("蓮溪區")  # 該中心 leans on the sentence naming the centre


def test_opencc_conversion_and_printed_form():
    assert to_simplified("長者飯堂增設晚市") == "长者饭堂增设晚市"
    assert to_simplified("聊城市召开会议") == "聊城市召开会议"
    assert printed_form("饭堂", "长者饭堂", "長者飯堂") == "飯堂"
    assert printed_form("饭堂", "饭堂", "饭堂") == "饭堂"


def test_corpus_counts_texts_not_occurrences():
    c = kw.Corpus(["济宁市济宁市济宁市", "", "高庄镇油菜", "济宁市樱桃", "茶叶"])
    assert c.n == 4 and c.df("济宁市") == 2 and c.df("油菜") == 1 and c.df("草莓") == 0
    assert c.df("市") == 2 and c.df("") == 0
    bg = kw.Background([{"油菜"}], c)  # one article: its own frequencies say nothing
    assert bg.local("济宁市") < bg.local("油菜") == 1.0
