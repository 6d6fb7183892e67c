"""Small e-paper PDFs made at test time with reportlab (all text invented).

A tiny page-layout helper sets stories in columns the way a newspaper does: a headline over its
columns, body text flowing from column to column with two-em paragraph indents, a framed sidebar,
a reversed label on a coloured band, briefs, a running header and footer. The fonts are the
standard Chinese CID font STSong-Light (not embedded): PDFium reads its text through the Adobe-GB1
maps, so no font file is needed.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.colors import Color, white
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
A3 = (842.0, 1191.0)
BODY = 10.0
LEAD = 16.0  # line pitch of running text
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# -- invented text --------------------------------------------------------------------------------
LEAD_KICKER = "夏粮丰收在望"
LEAD_HEAD = "溪口镇十万亩小麦开镰收割"
LEAD_BYLINE = "本报记者 赵一帆 通讯员 钱小满"
LEAD_PARAS = [
    "6月17日清晨，溪口镇南岗村的麦田里，十几台联合收割机一字排开，金黄的麦浪在机器轰鸣中一行行倒下，"
    "麦粒被直接装进等候在地头的运粮车。",
    "“今年雨水匀，麦子长得好，一亩地能多收一百来斤。”种粮大户孙长河站在田埂上，抓起一把麦粒放在手心里掂了掂，"
    "笑得合不拢嘴。他今年种了六百多亩小麦，全部交给镇农机合作社统一收割。",
    "溪口镇农业服务中心主任周明远介绍，全镇今年种植小麦十万零三千亩，预计总产量比去年增加百分之六。为了抢在雨季到来之前"
    "颗粒归仓，镇里从周边县市调来收割机八十多台，实行昼夜轮班作业。",
    "在镇粮食收购点，前来售粮的车辆排起了长队。收购点负责人吴秋生说，今年新麦品质好、水分低，收购价格比去年略有上涨，"
    "农户当天就能拿到售粮款。",
    "据了解，溪口镇还在麦收结束后及时组织夏播，力争六月底前完成玉米和大豆播种任务，确保全年粮食生产稳中有增。",
]
SIDE_HEAD = "田埂上的笑声（记者手记）"
SIDE_BYLINE = "本报记者 赵一帆"
SIDE_PARAS = [
    "跟着收割机在地里走了一上午，记者最深的感受是农民脸上的笑容。机器替代了镰刀，汗水少了，笑声多了。",
    "一位老人说，年轻时割麦要弯腰半个月，如今坐在树荫下就能看着麦子进仓，日子真是越过越好了。",
]
SECOND_HEAD = "河西社区开办暑期托管班"
SECOND_SUB = "——双职工家庭的孩子有了好去处"
SECOND_PARAS = [
    "本报讯（记者 郑晓雨）暑假临近，春溪市河西社区日前开办暑期托管班，首批招收小学生六十名，课程包括作业辅导、"
    "书法绘画和体育活动，家长只需承担少量餐费。",
    "社区书记冯丽华说，托管班的老师大多是退休教师和大学生志愿者，每天下午还安排一节安全教育课。",
]
SECOND_CROSSHEAD = "志愿者轮流值守"
SECOND_MORE = [
    "为保证孩子们的安全，社区组织了三十多名志愿者轮流值守，每天早晚在社区门口接送孩子。",
    "“孩子放在这里，我们上班也安心了。”家长王丽说。",
]
BRIEFS = [
    ("■ 春溪图书馆延长开放时间", "本报讯 春溪市图书馆自7月1日起延长开放时间，每天开放至晚上九点。"),
    ("■ 城东新建三座口袋公园", "本报讯（通讯员 陈小河）城东区近日新建三座口袋公园，总面积一万两千平方米。"),
]
JUMP_HEAD = "老街改造让居民住得更舒心"
JUMP_PART1 = [
    "春溪市老城区的青石街有一百多年历史，街两旁的老房子大多建于上世纪五十年代。去年起，市里启动老街改造工程，"
    "更换了地下管网，修缮了沿街房屋的外立面。",
    "“以前一下雨，街上的水能没过脚踝。”住在青石街的居民何大妈说，改造后排水通畅了，老人出门再也不用担心摔跤。"
    "改造过程中，施工队坚持小规模、渐进式的做法，尽量保留老街原有的",
]
JUMP_PART2 = [
    "风貌，街口的老槐树和石牌坊都被完整保留下来。",
    "街道办事处主任林海峰说，改造方案前后征求了三轮居民意见，最终确定的方案得到了九成以上居民的支持。",
]


# -- a tiny typesetter ----------------------------------------------------------------------------
def _width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    """Break a paragraph into lines of at most ``width`` points (the first line indented)."""
    lines, cur = [], ""
    room = width - indent
    for ch in text:
        # no line starts with closing punctuation: it hangs at the end of the line before
        if _width(cur + ch, size) > room and cur and ch not in "，。、；：？！”）":
            lines.append(cur)
            cur, room = "", width
        cur += ch
    if cur:
        lines.append(cur)
    return lines


@dataclass
class Page:
    """Draws on one page; y is measured from the top of the page."""

    c: canvas.Canvas
    width: float = A3[0]
    height: float = A3[1]
    drawn: list[str] = field(default_factory=list)

    def text(self, x: float, top: float, text: str, size: float, colour=None) -> None:
        self.c.setFont(FONT, size)
        if colour is not None:
            self.c.setFillColor(colour)
        self.c.drawString(x, self.height - top - 0.88 * size, text)
        self.c.setFillColorRGB(0, 0, 0)

    def centred(self, x0: float, x1: float, top: float, text: str, size: float) -> None:
        self.text((x0 + x1 - _width(text, size)) / 2, top, text, size)

    def label(self, x: float, top: float, text: str, size: float = 12) -> None:
        """Reversed type on a red band (a column label)."""
        self.c.setFillColor(Color(0.7, 0.1, 0.1))
        self.c.rect(x - 4, self.height - top - size - 3, _width(text, size) + 8, size + 6, stroke=0, fill=1)
        self.text(x, top, text, size, white)

    def rule(self, x0: float, x1: float, top: float) -> None:
        self.c.setLineWidth(0.8)
        self.c.line(x0, self.height - top, x1, self.height - top)

    def frame(self, x0: float, top: float, x1: float, bottom: float) -> None:
        self.c.setLineWidth(0.6)
        self.c.rect(x0, self.height - bottom, x1 - x0, bottom - top, stroke=1, fill=0)

    def columns(self, paras: list[str], x0: float, top: float, col_width: float, gutter: float,
                ncols: int, bottom: float, size: float = BODY, pitch: float = LEAD) -> float:
        """Set paragraphs in ``ncols`` columns filled one after another down to ``bottom``; return
        the lowest line's bottom. Raises if the text does not fit."""
        lines = []
        for p in paras:
            for k, ln in enumerate(wrap(p, size, col_width, indent=2 * size)):
                lines.append((ln, 2 * size if k == 0 else 0.0))
        per_col = int((bottom - top) // pitch)
        if len(lines) > per_col * ncols:
            raise ValueError("text does not fit")
        per_col = -(-len(lines) // ncols)  # balance the columns
        low = top
        for i, (ln, ind) in enumerate(lines):
            col, row = divmod(i, per_col)
            y = top + row * pitch
            self.text(x0 + col * (col_width + gutter) + ind, y, ln, size)
            low = max(low, y + size)
        return low

    def header(self, paper: str, date: str, label: str, editor: str) -> None:
        """A running header: paper name, date, 版 label, editor credit, and a rule."""
        self.text(40, 30, paper, 20)
        self.text(200, 36, date, 10)
        self.text(360, 36, label, 10)
        self.text(560, 36, editor, 9)
        self.rule(40, self.width - 40, 62)

    def footer(self, paper: str, date: str, label: str) -> None:
        self.rule(40, self.width - 40, self.height - 50)
        self.text(40, self.height - 42, f"{paper}  {date}  {label}", 8)
        self.text(560, self.height - 42, "社址：春溪市河西路1号  定价：每份1.50元", 8)


def _canvas(path: Path) -> canvas.Canvas:
    c = canvas.Canvas(str(path), pagesize=A3)
    c.setTitle("春溪日报")
    return c


def front_page(c: canvas.Canvas) -> Page:
    """第02版 of 春溪日报: masthead, lead over three columns, sidebar, a second story with a
    cross-head, a briefs column under a reversed label, the footer."""
    pg = Page(c)
    pg.text(40, 28, "春溪日报", 48)
    pg.text(600, 30, "2025年6月18日  星期三", 12)
    pg.text(600, 50, "第02版  要闻", 12)
    pg.text(600, 70, "责任编辑：林小舟", 10)
    pg.rule(40, 802, 92)
    # lead: kicker, headline over three columns, byline, three columns of text
    pg.centred(40, 600, 110, LEAD_KICKER, 16)
    pg.centred(40, 600, 134, LEAD_HEAD, 30)
    pg.centred(40, 600, 176, LEAD_BYLINE, 10.5)
    low = pg.columns(LEAD_PARAS, 40, 200, 175, 17.5, 3, 560)
    # sidebar box in the fourth column
    pg.frame(618, 106, 802, 420)
    pg.text(628, 116, SIDE_HEAD, 13)
    pg.text(628, 140, SIDE_BYLINE, 10.5)
    pg.columns(SIDE_PARAS, 628, 162, 164, 0, 1, 410)
    # second story below the lead, two columns, with a cross-head in its second column
    top = max(low, 430) + 40
    pg.text(40, top, SECOND_HEAD, 24)
    pg.text(40, top + 34, SECOND_SUB, 13)
    body_top = top + 60
    pg.columns(SECOND_PARAS, 40, body_top, 175, 17.5, 1, body_top + 300)
    pg.text(232, body_top, SECOND_CROSSHEAD, 11.5)
    pg.columns(SECOND_MORE, 232, body_top + 22, 175, 17.5, 1, body_top + 300)
    # briefs column under a reversed label
    pg.label(628, 470, "简讯")
    y = 500
    for head, body in BRIEFS:
        pg.text(628, y, head, 11.5)
        y = pg.columns([body], 628, y + 20, 164, 0, 1, y + 200) + 14
    pg.footer("春溪日报", "2025年6月18日", "第02版")
    return pg


def multicolumn_pdf(path: Path) -> Path:
    """A one-page issue (front_page)."""
    c = _canvas(path)
    front_page(c)
    c.showPage()
    c.save()
    return path


def jump_pdf(path: Path, pages: int = 2) -> Path:
    """A story that jumps from 第1版 to 第2版 ((下转第2版) / (上接第1版) and the repeated headline),
    under running headers and footers that recur with only the numbers changed."""
    c = _canvas(path)
    for n in range(1, pages + 1):
        pg = Page(c)
        pg.header("春溪日报", "2025年6月19日 星期四", f"第{n:02d}版", "责任编辑：林小舟")
        if n == 1:
            pg.text(40, 90, JUMP_HEAD, 28)
            pg.text(40, 130, "本报记者 孙晓岚", 10.5)
            low = pg.columns(JUMP_PART1, 40, 160, 230, 20, 2, 400)
            pg.text(40 + 230 + 20 + 230 - _width("（下转第2版）", BODY), low + 6, "（下转第2版）", BODY)
        elif n == 2:
            pg.text(40, 90, JUMP_HEAD, 16)
            pg.text(40, 116, "（上接第1版）", BODY)
            pg.columns(JUMP_PART2, 40, 136, 230, 20, 2, 400)
        else:
            pg.text(40, 90, f"第{n}版的一则消息标题", 24)
            pg.columns([f"本报讯 这是第{n}版上的一篇短消息，内容是虚构的，用来检验长文件的读取速度和内存。" * 3],
                       40, 130, 230, 20, 2, 400)
        pg.footer("春溪日报", "2025年6月19日", f"第{n:02d}版")
        c.showPage()
    c.save()
    return path


def _scan_png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("L", (420, 595), 235)
    draw = ImageDraw.Draw(img)
    for y in range(60, 560, 14):  # grey bars where the text of a scanned page would be
        draw.rectangle([30, y, 390, y + 7], fill=90)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def scanned_page(c: canvas.Canvas) -> None:
    from reportlab.lib.utils import ImageReader

    c.drawImage(ImageReader(io.BytesIO(_scan_png())), 0, 0, width=A3[0], height=A3[1])


def scanned_pdf(path: Path, pages: int = 1) -> Path:
    """An image-only PDF: a scan without a text layer."""
    c = _canvas(path)
    for _ in range(pages):
        scanned_page(c)
        c.showPage()
    c.save()
    return path


def mixed_pdf(path: Path) -> Path:
    """Page 1 with text, page 2 a scan."""
    c = _canvas(path)
    front_page(c)
    c.showPage()
    scanned_page(c)
    c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A3, encrypt="secret-password")
    front_page(c)
    c.showPage()
    c.save()
    return path


def truncated_pdf(path: Path, good: Path) -> Path:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def broken_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n% not really a PDF: the download was replaced by an error page\n<html>")
    return path


def radicals_pdf(path: Path, text: str) -> Path:
    """One line of ``text`` as given (radical code points included), for the character repair."""
    c = _canvas(path)
    Page(c).text(40, 100, text, 12)
    c.showPage()
    c.save()
    return path


def long_pdf(path: Path, pages: int) -> Path:
    """A long issue for the benchmark: ``pages`` full text pages (the front_page layout with the
    版 label and a note changed on every page), written page by page."""
    c = _canvas(path)
    for n in range(1, pages + 1):
        pg = front_page(c)
        pg.text(300, 1120, f"本版第{n}页的说明文字，内容虚构。", 9)
        c.showPage()
    c.save()
    return path
