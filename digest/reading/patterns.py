"""Newspaper-layout patterns used by the segmenter: bylines, ledes, trailers, furniture, dates.

Everything here looks at one line (or one paragraph) and is independent of any particular
newspaper: the patterns are the conventions of Chinese print journalism (□/■ author marks,
本报讯（记者 …）, (作者单位：…), (下转2版), 扫码… prompts), not strings of a given page.
"""
from __future__ import annotations

import re

from .repair import CJK, cjk_count, ends_sentence, fix_spaces, fold
from ..models import Continuation

MARKS = "□■◇◆●▲▢"
_ROLE = re.compile(r"(本报|特约|实习生|见习)?(首席)?(记者|通讯员|摄影|编辑)|文/图|图/文|文图|报道|摄影?$|摄(?=\s)|供图|整理")
_NAME = re.compile(f"^[{CJK}·]{{2,5}}$")
_BYLINE_MARKED = re.compile(f"^[{MARKS}]\\s*(.{{1,60}})$")
_BYLINE_ROLE = re.compile(f"^(本报)?(特约|实习)?(记者|通讯员)[ ]*[{CJK} ]{{2,40}}$")
_LEDE = re.compile(f"^(本报讯|本报[{CJK}]{{1,8}}讯|新华社[{CJK}]{{0,8}}\\d{{0,2}}月?\\d{{0,2}}日?电|[{CJK}]{{2,8}}社[{CJK}]{{0,8}}电)"
                   r"\s*(?:[(（]([^()（）]{1,50})[)）])?")
_AFFIL = re.compile(r"^[(（]\s*作者(单位|系)[:：]?.{1,60}[)）]$")
_NOTE = re.compile(r"^[(（].{0,120}(课题|项目|基金|规划).{0,120}(成果|编号|资助).{0,60}[)）]$")
_ATTRIB = re.compile(f"^[(（]\\s*([{CJK}·]{{2,4}})\\s+([^()（）]{{2,60}})[)）]$")
_JOB = re.compile(r"(书记|长|主任|委员|教授|研究员|主席|经理|董事|干部|记者|作者|专家|会员|负责人|员|师|家)")
_CONT = re.compile(r"[(（]\s*(上接|下转|接|转)\s*(?:第)?\s*([0-9A-Za-z一二三四五六七八九十]{1,4})\s*版[^()（）]{0,8}[)）]")
_QR = re.compile(r"^(请|欢迎)?(扫码|扫描|扫一扫|长按|微信扫)[^。]{0,18}$")
_EDITOR = re.compile(r"^(责任编辑|本版编辑|编辑|美编|校对|版式|组版|审读|值班)[:：\s]")
_PAGE_HEAD = re.compile(r"^(第?\s*[0-9A-Z]{1,3}\s*版|\d{4}年\d{1,2}月\d{1,2}日\s*(星期|周)[一二三四五六日天])")
_ODD = re.compile(f"[^{CJK}{MARKS}▶0-9A-Za-z\\s，。、；：！？“”‘’（）《》—…·.,;:!?\"'()\\-+%/|#*]")
_DATE_LINE = re.compile(r"^[(（]\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[)）]$")
_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*[至到—–\-~]\s*(?:\d{1,2}月)?\d{1,2}日)?"
                   r"(?=(?:上午|下午|晚上|晚|早上|凌晨|中午)?[，,在])")
_CAPTION = re.compile(r"[(（](左|右|中|前排|后排|左一|右一|左二|右二|左起|右起)[^()（）]{0,4}[)）]|^图为|^▶|摄$")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禚逯")


def odd_symbols(line: str) -> bool:
    return bool(_ODD.search(line))


def is_furniture(line: str) -> bool:
    """Banner-free furniture recognisable from the line alone: QR prompts, editor credits,
    page heads, and short labels carrying layout garbage (box-drawing or currency glyphs)."""
    s = line.strip()
    if not s:
        return False
    if len(s) <= 20 and _QR.match(s):
        return True
    if _EDITOR.match(s) and len(s) <= 40 or _PAGE_HEAD.match(s) and len(s) <= 24:
        return True
    return len(s) <= 14 and cjk_count(s) <= 8 and odd_symbols(s)


def names_of(text: str) -> list[str]:
    """Names in a byline fragment: role words dropped, letter-spacing undone."""
    s = fix_spaces(text.strip(MARKS + " "), prose=False)
    s = _ROLE.sub(" ", s.replace("/", " "))
    out = []
    for tok in re.split(r"[\s、，,；;]+", s):
        tok = tok.strip(MARKS + " ()（）")
        if _NAME.match(tok) and not _ROLE.search(tok):
            out.append(tok)
    return out


def byline_line(line: str) -> tuple[list[str], bool] | None:
    """(names, bare) when the line is a byline; bare = an author mark without reporter words
    (the mark of a signed commentary)."""
    s = fix_spaces(line.strip(), prose=False)
    if not s or len(s) > 60 or "，" in s or "。" in s or ends_sentence(s):
        return None
    m = _BYLINE_MARKED.match(s)
    body = m.group(1) if m else (s if _BYLINE_ROLE.match(s) else None)
    if body is None:
        return None
    rest = _ROLE.sub(" ", body)
    toks = [t for t in re.split(r"[\s、]+", rest) if t]
    names = names_of(body)
    if not names or len(names) != len(toks) or len(names) > 8:
        return None
    return names, not _ROLE.search(body)


def maybe_name(line: str) -> bool:
    """A bare 2–4 character line starting with a common surname (a speaker/author line)."""
    s = line.strip()
    return 2 <= len(s) <= 4 and cjk_count(s) == len(s) and s[0] in _SURNAMES


def lede(text: str) -> tuple[str, list[str]] | None:
    """(dateline prefix, names) when text opens with 本报讯（记者 X）, 本报X讯, 新华社…电."""
    m = _LEDE.match(text)
    if not m:
        return None
    return m.group(0), names_of(m.group(2) or "")


def trailer(line: str) -> tuple[str, list[str]] | None:
    """Closing lines of a signed piece: (kind, names) for 作者单位 / funding note / (Name 职务)."""
    s = line.strip()
    if len(s) > 200:
        return None
    if _AFFIL.match(s):
        return "affiliation", []
    m = _ATTRIB.match(s)
    if m and _JOB.search(m.group(2)) and "：" not in m.group(2) and ":" not in m.group(2):
        return "attribution", [m.group(1)]
    if _NOTE.match(s):
        return "note", []
    return None


def continuations(text: str) -> tuple[str, list[Continuation]]:
    """Remove (上接3版)/(下转2版) markers from text and return them."""
    found: list[Continuation] = []

    def take(m: re.Match) -> str:
        label = m.group(2)
        found.append(Continuation("from" if m.group(1) in ("上接", "接") else "to", label))
        return ""

    if "版" not in text:
        return text, []
    return _CONT.sub(take, text), found


def date_line(line: str) -> str | None:
    m = _DATE_LINE.match(line.strip())
    return re.sub(r"\s+", "", m.group(1)) if m else None


def dateline(paragraph: str) -> str | None:
    """The event date printed in a lede ("3月24日", "7月28日—30日"); relative words give None."""
    m = _DATE.search(paragraph[:400])
    return m.group(0) if m else None


def caption_like(line: str) -> bool:
    s = fold(line.strip())
    return len(s) <= 60 and bool(_CAPTION.search(s))


def heading_like(line: str) -> bool:
    """Headline shape: short, no sentence-final punctuation, at most one comma."""
    s = line.strip()
    n = len(s.replace(" ", ""))
    if not 2 <= n <= 46 or ends_sentence(s) or cjk_count(s) < 2:
        return False
    f = fold(s)
    if f[0] in ",;:!?)、" or s[0] in "”’）" or re.search(r"[。！？]", s[:-1]):
        return False
    if f.count('"') % 2 or f.count("(") != f.count(")") or s.count("《") != s.count("》"):
        return False  # a headline does not leave a quote or bracket open
    return sum(f.count(c) for c in ",;") + s.count("、") <= 1 or s.startswith("——")


# -- headline and kind of a draft article (d: segment._Draft) ----------------------------

def headline(d, furniture: list[str]) -> tuple[str | None, str | None]:
    parts = [p for p in d.parts if p]
    for x in d.interlopers:
        if len(parts) == 1 and len(parts[0]) <= 8:
            parts[0] = f"{parts[0]} {x}"  # a two-half headline split by the column flow
            continue
        furniture.append(x)
        twins = [p for p in parts if len(p) <= 8 and abs(len(p) - len(x)) <= 1 and len(parts) > 1]
        for p in twins[:1]:  # the banner's other half sits beside the headline
            parts.remove(p)
            furniture.append(p)
    lv = d.levels + [0] * (len(d.parts) - len(d.levels))
    if len(parts) >= 2 and len(parts) == len(lv) and (0 < lv[0] < lv[1] or lv[0] == 0 < lv[1]) \
            and not parts[1].startswith("——"):
        furniture.append(parts.pop(0))  # a section banner set above a smaller headline
    if len(parts) >= 3 and not any(p.startswith("——") for p in parts) and len(parts[0]) <= 8:
        furniture.append(parts.pop(0))  # column label above a two-part headline
    parts = merge_dangling(parts)
    if not parts:
        return None, None
    main = [p for p in parts if not p.startswith("——")] or parts
    return " | ".join(parts), main[1] if len(main) >= 2 else main[0]


def merge_dangling(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if out and out[-1][-1:] in "、，,":
            out[-1] += p
        else:
            out.append(p)
    return out


def kind_of(title: str | None, d, paras: list[str]) -> str:
    t = title or ""
    first = paras[0] if paras else ""
    if re.search(r"(启事|公告|通知|通告|声明|讣告)$", t.split(" | ")[-1] if t else ""):
        return "notice"
    if re.search(r"(上的|上作的)(工作)?(报告|讲话)", t):
        return "report_excerpt"
    if re.search(r"——.{0,3}访|专访|访谈", t):
        return "interview"
    body = "".join(paras)
    if first.startswith("▶") or (not t and not d.lede and len(body) < 400
                                 and (re.search(r"图为", body) or re.match(r"^\d{1,2}月\d{1,2}日[，,]", first))):
        return "photo_caption"
    if d.bare or d.signed:
        return "commentary"
    return "news"
