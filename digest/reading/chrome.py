"""Web and app chrome around the stories of a page: furniture of the site or the post, not of the paper.

A page saved from a news site or an app (a WeChat 公众号 post, a paper's section page) carries
the site's own furniture around the stories:

* a **menu** of section names separated by vertical bars (``首页 | 本地 | 国际 | 财经 | 评论``);
* per-story **publication lines** (``发布 / 2026年2月17日 6:05 AM``, ``更新 / …``);
* the **post header** of a 公众号 post (``原创`` + account name) and its **date line**
  (``2026年02月17日 07:15 浙江``: date, time and the poster's province) — the post's date is its
  issue date;
* the **publisher line** of a masthead (``…日报社主办　每周五出版``);
* **prompts** to follow the account (``点击蓝字 关注我们``) or to read on (``一起来看👇``), the **END mark** (``- END -``) after
  which nothing belongs to a story (往期推荐 and its links, 编辑/审核 credits, the share bar),
  **recommendation headings** (往期推荐, 猜你喜欢) and the **share bar** (``分享 收藏 点赞 在看``);
* an **e-mail edition's** own lines: view it in a browser (``如果邮件无法正常显示…``), unsubscribe
  (``退订请回复TD``), where to write (``来信请寄：…``).

:func:`reason` judges one line; :func:`after_end` marks the tail of a post. Both are used by
:func:`digest.reading.furniture.find`.
"""
from __future__ import annotations

import re

from .lines import Line
from .repair import CJK

EDGE, FLOW = "edge", "flow"  # the categories of digest.reading.furniture

_BAR = re.compile(r"\s*[|｜]\s*")
_SECTION_NAME = re.compile(rf"^[{CJK}A-Za-z·]{{1,6}}$")
_DATE = r"(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2})"
_TIME = r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?(?:\s*(?:AM|PM|am|pm))?"
_PUBLISHED = re.compile(rf"^(发布|更新|發佈|發布|首发|首發|最后更新|最後更新)(于|於|时间|時間)?\s*[/／|｜:：]?\s*{_DATE}"
                        rf"(\s*{_TIME})?$")
_POST_DATE = re.compile(rf"^{_DATE}\s*{_TIME}(\s+[{CJK}]{{2,8}})?$")
_POST_HEAD = re.compile(rf"^原创\s+[{CJK}A-Za-z0-9·]{{2,16}}(\s+[{CJK}A-Za-z0-9·]{{2,16}}){{0,2}}$")
_FOLLOW = re.compile(r"(点击|點擊|点|戳)(上方|下方)?\s*(蓝字|藍字|[“\"「][^”\"」]{1,12}[”\"」])|关注我们|關注我們|设为星标|設為星標|星标置顶")
_END = re.compile(r"^[-—–_=·~\s]*(END|End)[-—–_=·~\s]*$")
_CREDIT = re.compile(r"^(审核|審核|审校|审稿|初审|复审|三审|监制|監製|出品人?|统筹|統籌|运营|運營|排版|视觉|視覺|主编|主編|"
                     r"值班主编|值班編輯|值班编辑)\s*[:：｜|]")
_SHARE = {"分享", "收藏", "点赞", "點讚", "在看", "赞", "讚", "转发", "轉發", "评论", "評論", "留言", "写留言", "阅读原文",
          "閱讀原文", "喜欢", "喜歡", "推荐", "赞赏", "讚賞", "打赏"}
_RECOMMEND = re.compile(r"^(往期推荐|往期推薦|往期回顾|往期精彩|精彩回顾|猜你喜欢|猜你喜歡|热文推荐|熱文推薦|更多精彩|相关推荐|"
                        r"推荐阅读|推薦閱讀)[:：]?$")
_POINT_DOWN = re.compile(r"(👇|⬇️?|👇🏻|👇🏼)+\s*$")
_PUBLISHER = re.compile(r"[社报報]\s*(主管|主办|主辦)+(?=\s|$)|每(周|週|日|旬|月)[一二三四五六日]?\s*出版|逢(周|週|星期)[一二三四五六日]\s*出版")
# an e-mail edition's own lines: view it in a browser, unsubscribe, where to write
_MAIL = re.compile(r"(?:邮件|郵件)(?:无法|無法|不能)?\s*(?:正常)?\s*(?:显示|顯示)|(?:查看|查閱|查阅)\s*(?:网页|網頁)版|"
                   r"(?:退订|退訂|取消订阅|取消訂閱)|(?:来信|來信|投稿|来稿|來稿)(?:请寄|請寄|邮箱|郵箱|地址)\s*[:：]|"
                   r"(?:本邮件|本郵件)(?:由|为|為)")
_LIST_ITEM = re.compile(r"^\s*([◇◆·•●○▪▸►▶☆★◎※\-*]|\d{1,2}\s*[.、．)）])")
_DATE_RANGE = re.compile(rf"^{_DATE}\s*[—–\-~～至到]+\s*(?:{_DATE}|(?:\d{{1,2}}\s*月\s*)?\d{{1,2}}\s*日)$")


def reason(s: str) -> tuple[str, str] | None:
    """(category, reason) when a line is web or app chrome by its own shape, else None. ``s`` is
    one line's text with its spaces normalised."""
    n = len(s)
    if n <= 80 and menu(s):
        return FLOW, "web site menu (section names between bars)"
    if n <= 60 and _PUBLISHED.match(s):
        return EDGE, "source and time of a web copy (发布/更新 line)"
    if n <= 40 and _POST_DATE.match(s):
        return EDGE, "masthead date line (date and time of a web or app post)"
    if n <= 50 and _POST_HEAD.match(s):
        return EDGE, "masthead of a post (原创 + account name)"
    if n <= 30 and "。" not in s and _FOLLOW.search(s):
        return FLOW, "prompt to follow the account (点击蓝字 关注)"
    if n <= 40 and "。" not in s and _PUBLISHER.search(s):
        return EDGE, "masthead (publisher and publication day: …社主办　每周五出版)"
    if n <= 20 and _END.match(s):
        return FLOW, "end mark of a post (- END -)"
    if n <= 60 and "。" not in s and _CREDIT.match(s):
        return FLOW, "editor credit (审核/监制/统筹 …)"
    if n <= 40 and _RECOMMEND.match(s):
        return FLOW, "heading of a list of other stories (往期推荐)"
    if n <= 80 and "。" not in s and _MAIL.search(s):
        return FLOW, "e-mail edition's line (view in a browser, unsubscribe, where to write)"
    if n <= 60 and _POINT_DOWN.search(s):
        return FLOW, "prompt pointing down to the post's items (…👇)"
    toks = s.split()
    if 2 <= len(toks) <= 10 and all(t in _SHARE for t in toks):
        return FLOW, "share bar of a post (分享 收藏 点赞 在看)"
    return None


def menu(s: str) -> bool:
    """A row of 4+ short section names separated by vertical bars (``首页 | 本地 | 国际 | 财经``);
    a headline with one bar in it is not one, nor a pipe table's row (``| 品种 | 单价 |``)."""
    s = s.strip()
    if s.startswith(("|", "｜")) or s.endswith(("|", "｜")):
        return False  # a row of a pipe table
    toks = [t for t in _BAR.split(s) if t]
    return len(toks) >= 4 and s.count("|") + s.count("｜") >= 3 and all(_SECTION_NAME.match(t) for t in toks)


def list_item(s: str) -> bool:
    """A line opened by a list bullet or item number (``◇6月21日（周六）…``, ``3. …``): an entry
    of a list in a story, never the masthead."""
    return bool(_LIST_ITEM.match(s))


def date_range(s: str) -> bool:
    """A line that is only a date range (``2026年3月6日—3月12日``): the week of a weekly's masthead
    (its issue date is the first day)."""
    return bool(_DATE_RANGE.match(" ".join(s.split())))


def after_end(lines: tuple[Line, ...], out: dict) -> None:
    """After a post's END mark, up to the next post header on the same page, every line is chrome
    (往期推荐 and its links, 编辑/审核 credits, the share bar): mark those not yet furniture."""
    end = None
    for i, ln in enumerate(lines):
        s = " ".join(ln.text.split())
        if end is not None and (ln.page != lines[end].page or _POST_HEAD.match(s)):
            end = None
        if _END.match(s):
            end = i
            continue
        if end is not None and i not in out:
            out[i] = (FLOW, "after the post's END mark (recommendations, credits, share bar)")
