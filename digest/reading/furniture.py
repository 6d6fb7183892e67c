"""Page furniture: the lines of a page that belong to the paper, not to a story.

Furniture is found from the conventions of newspaper layout, not from one paper's strings:

* **page edges** — page footers and page numbers (``第 3 页``, ``- 3 -``), the 版 label
  (``第 3 版``, ``A06 区县新闻``, ``第06版：经济``) and, at the top of a page, the masthead block:
  the paper's name, the printed date with 星期/农历, the issue number (``第 5821 期``);
* **recurrence** — a short line that comes back on several pages of the document with only its
  numbers changed is a running header or footer;
* **credits and notices of the paper** — 责任编辑/美编/校对 lines, copyright, address, price,
  weather boxes, QR-code prompts;
* **web and converter debris** — site menus (首页 | 往期回顾 …), per-article tool lines
  (【字体：大 中 小】), lists of 版 names and tables of contents (本版标题导航, 今日导读 and their
  items), HTML tags;
* **source lines** — ``《东方日报》（2026年3月5日 第 04 版）`` under a headline: not body text, but
  data (:func:`source_line`).

Furniture is data: :func:`printed_facts` reads the paper's name, the printed issue date and the
版 label from the furniture lines. Every decision carries a reason (shown by ``--explain``).
"""
from __future__ import annotations

import re
from collections import Counter

from . import chrome
from .fields import metadata_byline, split_photo_credit, trailer
from .lines import Document, Line
from .shapes import table_row
from .printed_dates import DATE_CN, DATE_FULL, DATE_ROC, MONTH_DAY, WEEKDAY
from .repair import CJK

EDGE = "edge"  # page furniture at a page edge: transparent to the story flow (a story runs on)
FLOW = "flow"  # furniture inside the flow (tool lines, column labels, credits): a story ends before it

_PAGE_NUMBER = re.compile(r"^(第\s*\d{1,4}\s*页|[-—–]\s*\d{1,4}\s*[-—–]|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}"
                          r"|共\s*\d+\s*页.{0,8}|\d{1,3})$", re.I)
_PAGE_LABEL = re.compile(rf"^(第\s*)?[A-Z]?\d{{1,3}}\s*版(\s*[:：]?\s*[{CJK}·]{{1,8}})?(\s*(上一版|下一版|\|))*$"
                         rf"|^[A-Z]\d{{1,2}}\s*[{CJK}·]{{2,8}}$|^[{CJK}·]{{2,8}}\s*[A-Z]\d{{1,2}}$|^[A-Z]\d{{2}}$"
                         rf"|^\d{{1,2}}\s+[{CJK}·]{{2,6}}$|^[{CJK}]{{2,6}}\s*[·•|｜]\s*[A-Z]?\d{{1,2}}$")  # 经济·06
_MASTHEAD_WORDS = re.compile(r"星期[一二三四五六日天]|農曆|农历|第\s*\d+\s*期|今日\s*\d+\s*版|电子报|电子版|數字報|数字报|编印|编发"
                             r"|[A-Z]?\d{1,3}\s*版|出版")
_PAPER = re.compile(rf"([{CJK}]{{1,10}}(?:日报|晚报|早报|时报|商报|都市报|农民报|青年报|法治报|法制报|经济报|日報|晚報|時報|"
                    rf"商報|報|报|新闻|新聞))(?:社)?(?:电子报|电子版|數字報|数字报)?")
_SOURCE = re.compile(r"^[《〈]([^》〉]{2,20})[》〉]\s*[（(]\s*([^（）()]{4,30}?)\s*[）)]$")
_EDITOR = re.compile(r"^[【\[（(]?\s*(本版)?(责任编辑|责编|本版编辑|编辑|美编|美术编辑|校对|责任校对|版式|版式设计|组版|审读|值班|终审|"
                     r"图片编辑|版面设计|制版|排版|責任編輯|美術編輯|編輯|校對|设计|制图)\s*[:：\s]")
_NOTICE = re.compile(r"版权所有|版權所有|未经(书面)?授权|不得转载|禁止转载|技术支持\s*[:：]|^(本报)?地址\s*[:：]|邮编\s*[:：]|"
                     r"[社报]出版|出版发行|"
                     r"零售价|定价\s*[:：]|广告(经营)?许可证|广告热线|发行热线|新闻热线|订阅热线|印刷\s*[:：]|国内统一连续出版物号|"
                     r"邮发代号|ICP备|公网安备|本报地址|CN\s*\d{2}\s*[-—]\s*\d{4}|Copyright|All Rights Reserved|©")
_WEATHER = re.compile(r"^[【\[]?\s*(今日|今天|明日|明天)?\s*天气\s*[】\]]?|天气预报|空气质量|风\s*\d(\s*[～~-]\s*\d)?\s*级|℃")
_PROMO = re.compile(r"客户端|APP|App|公众号|视频号|抖音号|微博号|下载|订阅号|(扫码|扫描)(下载|关注|收看|阅读)")
_PAGE_REF = re.compile(r"[〔（(【\[]\s*(见|详见)?\s*(第\s*)?[A-Z]?\d{1,3}\s*版\s*[〕）)】\]]$|详见第?\s*[A-Z]?\d{1,3}\s*版$")
_LUNAR = re.compile(r"^(农历|農曆)\S{2,14}$|^(农历|農曆)\S{2,8}年\S{2,6}$")
_UI_WORDS = ("首页", "往期回顾", "版面导航", "标题导航", "数字报检索", "PDF下载", "上一篇", "下一篇", "返回目录", "返回首页",
             "返回顶部", "上一版", "下一版", "前一期", "后一期", "分享到", "收藏", "打印", "关闭", "打印本页", "关闭窗口",
             "字体", "放大", "缩小", "登录", "注册", "搜索", "检索", "网站首页", "上一期", "下一期", "往期", "版面", "目录",
             "电子报", "下载", "本版导航", "手机版", "微信", "微博", "客户端", "分享", "关于我们", "网站地图", "联系方式",
             "联系我们", "违法和不良信息举报", "网站声明", "隐私政策", "广告服务", "意见反馈", "帮助", "English")
_UI_TOKEN = re.compile(r"[|｜·•　\s/]+")
_TOOL = re.compile(r"^[【\[]\s*(字体|字号|打印|关闭|收藏|纠错|分享)")
_QR = re.compile(r"^(请|欢迎)?(扫码|扫描|扫一扫|长按|微信扫)[^。]{0,18}$")
_TOC_HEAD = re.compile(r"^(本版标题导航|本版新闻|本版导读|今日导读|标题导航|本期导读|要目|导读|目录|本版目录|今日看点|"
                       r"相关新闻|相关阅读|相关报道|热门新闻|熱門新聞|推荐阅读|延伸阅读|本版其他文章|其他文章|精彩推荐|"
                       r"(网友|網友|读者|讀者)?(评论|評論)\s*([（(]\d+[）)])?|分类广告|分類廣告)$")
_AFTER_STORY = re.compile(r"^(上一篇|下一篇|上一條|下一條|上一则|下一则)\s*[:：]|^更多.{0,8}\s*[>》]+$|^(分享|分享到)\s*[:：]"
                          r"|^[^\s>›]{1,12}(\s*[>›»]\s*[^\s>›]{1,12}){2,}$")
_SOURCE_META = re.compile(r"^(?:本文|本稿|原文)?(来源|來源|发布时间|發佈時間|发表时间|出处|出處)\s*[:：]")
_CLASSIFIED = re.compile(r"(遗失|丢失|遺失).{0,60}(作废|作廢)|声明作废|作废声明|聲明作廢")
_TOC_ITEM = re.compile(rf"^([·•▪◇]\s*\S.{{1,40}}|[A-Z]?\d{{1,2}}\s+[{CJK}“‘《].{{1,40}}|[A-Z]?\d{{1,2}}\s*版\s*[:：]\s*\S{{1,10}})$")
_ODD = re.compile(rf"[^{CJK}□■◇◆●○▲▢◎▶0-9A-Za-z\s，。、；：！？“”‘’「」『』（）《》—…·.,;:!?\"'()\-+%/|#*]")
# a date in running text, not a masthead: an event set for it (兹定于5月21日(星期四)上午9:30在…)
_EVENT = re.compile(r"兹定于|定于|将于|举行|举办|召开")
_METADATA = re.compile(r"^(作者|来源|來源|记者|記者|编辑|發佈|发布)\s*[:：]")
RULE = re.compile(r"[=＝*＊\-－—─━_~～·•＿]{4,}")  # ==== / ＊＊＊＊ / ———— on a line of its own
_PRINT_RUN = re.compile(r"^[(（]共印\s*\d+\s*份[)）]$")  # a bulletin's print run
_SECTION = re.compile(rf"^[{CJK}]{{2,4}}\s*[·•]\s*[{CJK}]{{2,4}}$")  # 社会·民生: a section's name
_DATED = ("masthead", "版 label", "source", "page foot", "recurs", "converter header", "YAML")
_DIGITS = re.compile(r"[0-9〇○零一二三四五六七八九十]+")


def _prose(s: str) -> bool:
    """Running text: a sentence or clause end, two commas, or a comma before a clause of ten
    characters (5月15日（周五）上午，…专家在人民广场开展义诊；); a closing bracket alone, as in
    （星期四）, is none."""
    return bool(re.search(r"[。！？!?；;][”’」』]?\s*$", s)) or s.count("，") + s.count(",") >= 2 or "。" in s \
        or re.search(r"[，,]\s*[\u4e00-\u9fff]{10}", s) is not None


def line_reason(s: str) -> tuple[str, str] | None:
    """(category, reason) when a line is furniture by its own shape, else None."""
    if not s:
        return None
    s = " ".join(s.split())
    n = len(s)
    if source_line(s) or "《" in s[:12] or (re.match(r"^[(（].*[)）]$", s) and not _EDITOR.match(s)
                                              and not _PRINT_RUN.match(s) and "仅供参考" not in s):
        return None  # a source line under a headline, or a bracketed date line of a story: data, not furniture
    if _PAGE_NUMBER.match(s):
        return EDGE, "page number"
    if n <= 30 and _PAGE_LABEL.match(s):
        return EDGE, "版 label"
    web = chrome.reason(s)
    if web:
        return web
    if n <= 20 and _QR.match(s):
        return FLOW, "QR-code prompt"
    if n <= 80 and _EDITOR.match(s) and "。" not in s:
        return FLOW, "editor credit (责任编辑/美编/校对)"
    if n <= 100 and re.search(r"(本版编辑|责任编辑|責任編輯|本版责编|美术编辑|责任校对)\s*[:：]", s) and not _prose(s) \
            and not _masthead_date(s):  # a running head with the date and the credits stays a masthead
        return FLOW, "the page's credits line (主办, 本版编辑, 投稿邮箱 …)"
    if n <= 80 and (re.match(r"^(报|送|抄送|抄报|分送)\s*[:：]", s) or _PRINT_RUN.match(s)) \
            and "。" not in s:
        return FLOW, "a bulletin's distribution list (报：/送：/共印N份)"
    if RULE.fullmatch(s):
        return FLOW, "a rule between stories"
    if n <= 40 and re.match(r"^(阅读|浏览|点击|播放)\s*[\d.]+\s*万?\s+(点赞|在看|评论|转发|收藏|分享)\s*[\d.]+\s*万?", s):
        return FLOW, "an app's counters (阅读 1.2万 点赞 36)"
    if n <= 80 and "仅供参考" in s and re.search(r"本版|本文|以上|不构成|遵医嘱|风险自担|投资建议", s):
        return FLOW, "the page's disclaimer (…仅供参考)"
    if n <= 40 and re.search(r"^(?:本版|本栏|本文|以上)?(?:文章|言论|观点|来稿)?仅代表作者(?:个人)?(?:观点|立场)", s):
        return FLOW, "the page's disclaimer (…仅代表作者观点)"
    if n <= 60 and re.match(r"^(本栏目|本专栏|本栏|本版)[^。]{0,40}(联合|主办|开办|协办|投稿|邮箱|热线|欢迎)", s):
        return FLOW, "a note about the column (本栏目由…联合开办)"
    if n <= 60 and re.search(r"热线\s*[:：]\s*[\d（(]", s) and not s.rstrip().endswith("。"):
        return FLOW, "the paper's contact line (…热线：number)"
    if n <= 50 and re.match(r"^(营销中心|售楼处|销售中心|接待中心|展厅|门店|地址)\s*[:：]\s*\S{2,30}[号室楼层]$", s):
        return FLOW, "an advertisement's address line (营销中心：…号)"
    if n <= 90 and _NOTICE.search(s) and "。" not in s[:-1]:
        return FLOW, "the paper's notice (copyright, address, price)"
    if n <= 90 and _WEATHER.search(s) and ("℃" in s or "级" in s or "°" in s or "空气质量" in s) and "。" not in s:
        return FLOW, "weather box"
    if n <= 40 and _PROMO.search(s) and not _prose(s):
        return FLOW, "promotion of the paper's app or accounts"
    if n <= 40 and _PAGE_REF.search(s) and "。" not in s:
        return FLOW, "teaser pointing to another page (导读)"
    if n <= 30 and _LUNAR.match(s):
        return EDGE, "masthead date line (lunar calendar)"
    if _TOOL.match(s):
        return FLOW, "web page tool line (【字体】【打印】)"
    if n <= 60 and _menu(s):
        return FLOW, "web site menu"
    if _TOC_HEAD.match(s):
        return FLOW, "heading of a list of other stories (导读, 相关新闻, 评论 …)"
    if n <= 80 and _AFTER_STORY.search(s):
        return FLOW, "web page navigation (上一篇/下一篇, breadcrumbs, share bar)"
    if n <= 90 and _SOURCE_META.match(s) and trailer(s) is None and not metadata_byline(s):  # 来源：X报（记者 Y） credits the story
        return FLOW, "source and time of a web copy (metadata)"
    if n <= 100 and _CLASSIFIED.search(s):
        return FLOW, "classified advertisement (遗失声明)"
    if n <= 40 and _PAPER.search(s) and re.search(r"第\s*[A-Z]?\d{1,3}\s*版", s) and not _prose(s) \
            and not _masthead_date(s):  # with a date it is the masthead date line (below)
        return EDGE, "masthead (the paper's name and the 版)"
    if n <= 40 and re.search(r"第\s*\d+\s*期|今日\s*\d+\s*版|本期\s*\d+\s*版", s) and not _prose(s):
        return EDGE, "masthead (issue number)"
    if n <= 60 and _masthead_date(s) and not _prose(s) and not _METADATA.match(s) and not chrome.list_item(s) \
            and not _EVENT.search(s):
        return EDGE, "masthead date line"
    if n <= 40 and re.match(r"^[\[【(（]\s*(?:图片|圖片|图|圖|照片|视频|視頻|image|img|photo)\s*[\]】)）]"
                             r"(?:\s*\S+\.(?:jpe?g|png|gif|webp))?$", s, re.I):
        return EDGE, "a picture's place in the text ([图片]): the story goes on around it"
    if n <= 14 and sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff") <= 8 and _ODD.search(s) \
            and not re.match(r"^(文|图|圖|文图|撰文)\s*[｜|]", s):  # 文｜X: an author line
        return FLOW, "label with layout debris (odd symbols)"
    return None


def _menu(s: str) -> bool:
    toks = [t for t in _UI_TOKEN.split(s) if t]
    return len(toks) >= 2 and sum(any(t.startswith(w) or t == w for w in _UI_WORDS) for t in toks) >= max(2, len(toks) - 1)


def _masthead_date(s: str, bare: bool = False) -> bool:
    """A printed date with what mastheads set beside it (weekday, 农历, 版, the paper's name); with
    ``bare``, a date alone on its line too (only trusted at the top of a page: at the end of a
    notice the same line is its signature date)."""
    if MONTH_DAY.search(s) and WEEKDAY.search(s) and not _prose(s):
        return True  # 3月5日 星期四: a year-less masthead date
    if not (DATE_FULL.search(s) or DATE_CN.search(s) or DATE_ROC.search(s)):
        return False
    rest = DATE_ROC.sub("", DATE_CN.sub("", DATE_FULL.sub("", s)))
    return bool(WEEKDAY.search(s) or _MASTHEAD_WORDS.search(s) or _PAPER.search(s)) or (bare and len(rest.strip()) <= 2)


def source_line(s: str) -> tuple[str, str] | None:
    """(paper, bracketed text) for a per-article source line such as 《东方日报》（2026年3月5日 第 04 版）."""
    m = _SOURCE.match(s.strip())
    if m and (DATE_FULL.search(m.group(2)) or "版" in m.group(2)):
        return m.group(1), m.group(2)
    return None


def template(s: str) -> str:
    """The line with its numbers masked and spaces removed: lines equal up to numbers match."""
    return _DIGITS.sub("#", "".join(s.split()))


def find(doc: Document) -> dict[int, tuple[str, str]]:
    """Furniture of a document: {index into doc.lines: (category, reason)}."""
    lines = doc.lines
    out: dict[int, tuple[str, str]] = {}
    for i, ln in enumerate(lines):
        if ln.furniture:
            transparent = any(w in ln.furniture for w in ("header", "footer", "image only", "markup only"))
            out[i] = (EDGE if transparent else FLOW, ln.furniture)
            continue
        r = line_reason(ln.text.strip())
        if r:
            out[i] = r
    chrome.after_end(lines, out)
    _recurring(lines, out)
    _mastheads(lines, out)
    _paper_name_again(lines, out)
    _lists(lines, out)
    return out


def _paper_name_again(lines: tuple[Line, ...], out: dict) -> None:
    """The paper's name, once found in a masthead, printed again on a line of its own anywhere on
    the page (a logo in a box, a watermark, an app promotion's title): furniture that stories flow past."""
    names = {" ".join(lines[j].text.split()) for j, (_, why) in out.items()
             if why.startswith("masthead (paper name") and _paper_name(lines[j].text)}
    for i, ln in enumerate(lines):
        if i not in out and names and " ".join(ln.text.split()) in names:
            out[i] = (EDGE, "the paper's name printed again (logo or box)")


def _recurring(lines: tuple[Line, ...], out: dict) -> None:
    """Short non-prose lines that recur, numbers aside, on several pages (or 3+ times): running
    heads, footers and per-article tool lines."""
    pages: dict[str, set[int]] = {}
    count: Counter = Counter()
    same: Counter = Counter()  # exact repeats: a tool line repeats itself; notices' dates differ
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if len(s) > 40 or _prose(s) or source_line(s) or len(template(s)) < 2 or _date_line(s) \
                or trailer(s):  # （记者 X 整理） under every item signs each one
            continue
        t = template(s)
        pages.setdefault(t, set()).add(ln.page)
        count[t] += 1
        same[s] += 1
    exact = {template(s) for s, n in same.items() if n >= 2}
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if i in out or len(s) > 40 or _prose(s) or source_line(s):
            continue
        t = template(s)
        if t in pages and (len(pages[t]) >= 2 and "#" in t or count[t] >= 3 and t in exact) and not _byline_word(s):
            out[i] = (EDGE if "#" in t else FLOW, f"recurs {count[t]} times on the page(s) (running head or tool line)")


def _date_line(s: str) -> bool:
    """A bare date on a line of its own (2025年7月2日): the date under a notice's signature, which
    every notice of a page may share — never a running head (those name the paper or a weekday)."""
    return (DATE_FULL.fullmatch(s.strip()) or DATE_CN.fullmatch(s.strip())) is not None


def _byline_word(s: str) -> bool:
    return bool(re.match(r"^[■□◆●]?\s*(本报|本報)?(特约|特派|实习|见习)?(记者|記者|通讯员|通訊員|作者|文|图)", s))


def _mastheads(lines: tuple[Line, ...], out: dict) -> None:
    """At the top of the document and of every page: the block of short lines before the first
    story that holds a masthead date or a 版 label is the masthead (paper name, section, date)."""
    starts = [0] + [i for i in range(1, len(lines)) if lines[i].page != lines[i - 1].page]
    for s0 in starts:
        block: list[int] = []
        i = s0
        while i < len(lines) and len(block) < 6 and lines[i].page == lines[s0].page:
            if block and lines[i].blank_before and not (i in out and out[i][0] == EDGE):
                break
            block.append(i)
            i += 1
        for j in block:
            if j not in out and len(lines[j].text) <= 40 and (_masthead_date(" ".join(lines[j].text.split()), bare=True)
                                                              or chrome.date_range(lines[j].text)):
                out[j] = (EDGE, "masthead date line")
        marked = [j for j in block if j in out and out[j][1] in ("masthead date line", "版 label", "masthead (issue number)",
                                                                 "masthead date line (lunar calendar)")]
        marked += [j for j in block[:3] if j not in out and _paper_name(lines[j].text)]
        if not marked:
            continue
        for j in block[:max(marked) + 2]:
            s = lines[j].text.strip()
            if j in out or _prose(s) or len(s) > 40:
                continue
            nxt = lines[j + 1] if j + 1 < len(lines) else None
            kicker = nxt is not None and not nxt.blank_before and j + 1 not in out and 6 <= len(nxt.text.strip()) <= 40 \
                and not _SECTION.match(s)
            if j > max(marked) and not _paper_name(s) \
                    and not (lines[j].blank_before == 0 and len(s.replace(" ", "")) <= 8 and not kicker):
                continue  # after the date: only a section name set right under it (not a 引题 on its headline)
            out[j] = (EDGE, "masthead (paper name / section)")
    ends = [i - 1 for i in starts[1:]] + [len(lines) - 1]
    for e in ends:  # the foot of a page: paper name beside the 版 label and date
        zone, i = [], e
        while i >= 0 and len(zone) < 6 and lines[i].page == lines[e].page:
            s = lines[i].text.strip()
            if i not in out and (len(s) > 20 or _prose(s)):
                break
            zone.append(i)
            i -= 1
        if any(out.get(j, ("", ""))[1] in ("masthead date line", "版 label") for j in zone):
            for j in zone:
                if j not in out and _paper_name(lines[j].text):
                    out[j] = (EDGE, "page foot (paper name)")


def _paper_name(s: str) -> bool:
    """A line that is nothing but a paper's name (河湾日报, 青禾农民报电子版) or its name in capitals
    (QINGHE NONGMIN BAO): at the top of a page, the masthead."""
    s = " ".join(s.split())
    if re.fullmatch(r"[A-Z][A-Z .·-]{5,40}", s):
        return True
    m = _PAPER.fullmatch(s.replace(" ", ""))
    return bool(m) and len(s) <= 14 and not s.endswith(("新闻", "新聞"))


def _lists(lines: tuple[Line, ...], out: dict) -> None:
    """Lists of 版 names and tables of contents: a run of 3+ list items, or items under a TOC heading."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _TOC_ITEM.match(lines[j].text.strip()) and "。" not in lines[j].text \
                and not table_row(lines[j].text):
            j += 1
        head = i > 0 and (i - 1) in out and out[i - 1][1].startswith("heading of a list")
        if j - i >= 3 or (j > i and head):
            for k in range(i, j):
                out.setdefault(k, (FLOW, "table of contents / list of 版 (repeats headlines)"))
        elif head:  # the items of a 相关新闻 / comments list: every line up to the next blank line
            while j < len(lines) and (j == i or not lines[j].blank_before) and len(lines[j].text) <= 120 \
                    and split_photo_credit(lines[j].text) is None:  # a credited photo caption is a story's
                out.setdefault(j, (FLOW, "item of a list of other stories or comments"))
                j += 1
        i = max(j, i + 1)
