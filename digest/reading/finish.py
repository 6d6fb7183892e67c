"""Draft stories -> :class:`~digest.models.Article`: headline, byline, dateline, kind, captions.

* headline: the parts of the headline group (引题 | 主题 | 副题); a banner or column label set
  above a smaller headline, and banner halves lifted out of a sentence, go to the furniture;
* byline: the header byline, else the names in a 本报讯（记者 …） lede, else those of a closing
  credit （新华社…电 / 记者 …） (also when it is glued to the end of the last paragraph);
* dateline: a printed date line, else the 电头 of the lede or of the closing credit, else the
  explicit event date of the lede;
* kind: notice, report excerpt, interview, photo news (closed by a photo credit, or a short
  caption), commentary (signed with an author mark or affiliation, or a column tag such as
  （时评）/（记者手记）), else news.
"""
from __future__ import annotations

import re

from ..models import Article
from . import fields as fl
from .articles import Draft
from .repair import key

_BULLET = re.compile(r"^[▶►▷●◆◇★☆◎▲△■□]+\s*")  # layout bullets opening a paragraph: not text
_COMMENT_TAG = re.compile(r"[（(](时评|評論|评论|记者手记|記者手記|快评|短评|观察|随笔|杂谈|论坛|言论|社论|述评|现场评论|"
                          r"编辑手记|编者按|来论|漫评|锐评|热评|新论|评|論)[）)]$")
_OPINION_COLUMN = re.compile("(时评|評論|评论|短评|快评|锐评|热评|漫评|论坛|言论|社论|社評|社评|述评|随笔|杂谈|来论|新论|来信|漫画)$")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")
_NOTICE = re.compile(r"^(即日起|自即日起)|开放时间|办理时间|咨询电话|报名时间|特此(通知|公告)|敬请")


def headline(d: Draft, furniture: list[str], sized: bool = False) -> tuple[str | None, str | None]:
    """(full title with parts joined by " | ", main title) of a draft; lifted pieces go to furniture.
    ``sized``: the levels are type sizes (a PDF), where a main title is larger than its decks."""
    parts = [q for q in (_EMOJI.sub("", p).strip() for p in d.parts) if q]  # 🚌…❤️: decoration, like ■
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
    if not sized and len(parts) >= 2 and len(parts) == len(lv) and (0 < lv[0] < lv[1] or lv[0] == 0 < lv[1]) \
            and not parts[1].startswith("——"):
        furniture.append(parts.pop(0))  # a section banner set above a smaller headline
    if len(parts) >= 3 and not any(p.startswith("——") for p in parts) and len(parts[0]) <= 8:
        furniture.append(parts.pop(0))  # column label above a two-part headline
    elif len(parts) >= 2 and (fl.column_name(parts[0]) or _section_label(d, parts)):
        d.column = parts[0]
        furniture.append(parts.pop(0))  # the column's standing head (东方时评, 体育, 老街旧事) above the headline
    while len(parts) >= 3 and parts[-2].startswith("——") and len(parts[-1]) <= 6 and not parts[-1].startswith("——"):
        furniture.append(parts.pop())  # nothing follows a 副题 in a headline: a section label set beside it
    parts = merge_dangling(parts)
    if not parts:
        return None, None
    main = [p for p in parts if not p.startswith("——")] or parts
    return " | ".join(parts), main[1] if len(main) >= 2 else main[0]


def _section_label(d: Draft, parts: list[str]) -> bool:
    """Is the first part a section or column label (体育, 读书, 老街旧事) rather than an 引题? A 引题 is a
    phrase that reads with its 主题; a label is a name of two or three characters, or of up to five
    set alone between blank lines above the headline (its own run, in another type)."""
    if parts[1].startswith("——"):
        return False
    letters = sum(1 for ch in parts[0] if ch.isalnum())
    heads = [u for u in d.units if u.kind in ("H", "N")]
    alone = bool(heads) and (heads[0].parts == [parts[0]] and len(heads) >= 2 or heads[0].breaks[:1] == [1]
                             and heads[0].parts[0] == parts[0])
    return letters <= 3 or (alone and letters <= 5)


def merge_dangling(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if out and out[-1][-1:] in "、，,":
            out[-1] += p
        else:
            out.append(p)
    return out


def kind_of(title: str | None, d: Draft, paras: list[str]) -> str:
    t = title or ""
    first = paras[0] if paras else ""
    last_part = t.split(" | ")[-1] if t else ""
    if re.search(r"(启事|公告|通知|通告|声明|讣告)$", last_part) or (not t and d.opened_by == "Q" and _NOTICE.search(first)):
        return "notice"
    if re.search(r"(上的|上作的)(工作)?(报告|讲话)", t):
        return "report_excerpt"
    if re.search(r"——.{0,3}访|专访|访谈", t):
        return "interview"
    body = "".join(paras)
    if d.photo or first.startswith("▶") or (not t and not d.lede and len(body) < 400 and d.opened_by != "Q" and (
            re.search(r"图为", body) or re.match(r"^\d{1,2}月\d{1,2}日[，,]", first))):
        return "photo_caption"
    if d.bare or d.signed or any(_COMMENT_TAG.search(p) for p in t.split(" | ") if p) \
            or _OPINION_COLUMN.search(d.column):
        return "commentary"
    return "news"


def finish(drafts: list[Draft], furniture: list[str], source: str, page: int,
           sized: bool = False) -> tuple[list[Article], list[str]]:
    """Articles from drafts, and the paragraphs dropped as repeats of earlier ones on the page."""
    arts: list[Article] = []
    seen: set[str] = set()
    dups: list[str] = []
    for d in drafts:
        paras: list[str] = []
        subheads: list[int] = []
        for k, p in enumerate(d.paras):
            pk = key(p)
            if len(pk) >= 16 and pk in seen:
                dups.append(p)
                continue
            seen.add(pk)
            if k in d.subheads:
                subheads.append(len(paras))
            paras.append(p)
        captions = list(d.captions)
        if not paras and not captions:
            continue
        if not paras:
            paras, captions = captions, []
        title, main = headline(d, furniture, sized)
        names = d.names
        date = d.date
        credit = fl.closing_credit(paras[-1]) if paras else None
        first = paras[0]
        lm = fl.lede(first)
        if not names and lm and lm[1]:
            names = lm[1]
        if not names and credit:
            names = credit[0]
        if date is None:
            date = (fl.wire_dateline(first) if lm else None) or (credit[1] if credit else None) or fl.dateline(first)
        kind = kind_of(title, d, paras)  # decided before the bullets go: ▶ marks a caption
        paras = [_BULLET.sub("", p) for p in paras]
        keep = [i for i, p in enumerate(paras) if p]
        d.position = len(arts)
        arts.append(Article(
            title=title, byline=" ".join(names) or None, kind=kind,
            paragraphs=tuple(paras[i] for i in keep), position=len(arts), main_title=main, dateline=date,
            page=page, source=source, captions=tuple(captions), continuations=tuple(d.conts),
            subheads=tuple(keep.index(i) for i in subheads if i in keep)))
    return arts, dups
