"""The fields of an article, read off single lines: bylines, ledes and datelines, closing
credits, photo credits, captions, jump markers, and the shape of a headline.

Everything here looks at one line (or one paragraph) and follows the conventions of Chinese print
journalism, simplified and traditional (□/■ author marks, 本报讯（记者 …）, 【本報消息】,
新华社北京3月4日电, （新华社…电 / 记者…）, 文/…, (作者单位：…), …摄, (下转2版)), never strings of a
given paper.
"""
from __future__ import annotations

import re

from ..models import Continuation
from .repair import CJK, cjk_count, ends_sentence, fix_spaces, fold

MARKS = "□■◇◆●▢◎○▍▌▎"
_ROLE_WORDS = (r"(?:本报|本報|本刊|本台|本网|本網|晚报|晚報|日报|日報|早报|都市报|学生|學生|校园|融媒体|融媒|全媒体|新媒体|特约|特約|特派|实习|實習|见习|見習|首席|摄影|攝影)*"
               r"(?:记者|記者|通讯员|通訊員|实习生|實習生|编辑|編輯|摄影|攝影|评论员|評論員)")
_ROLE = re.compile(_ROLE_WORDS + r"|(?:融媒体|新闻|新聞)中心|文/图|图/文|文图|文·图|报道|報道|报导|報導|摄影?$|攝影?$|摄(?=\s)|攝(?=\s)|供图|整理"
                   r"|^(?:文|图|圖)(?=\s*[/／:：])")
_AGENCY = re.compile(f"[{CJK}]{{0,4}}(社|报|報|台|網|网)|新华|中新|中央")  # 新华社, 中央社: the source, not a person
_NAME = re.compile(f"^[{CJK}·]{{2,5}}$")
_BYLINE_MARKED = re.compile(f"^[{MARKS}]\\s*(.{{1,60}})$")
_BYLINE_ROLE = re.compile(f"^(?:新华社|中新社|中央社|人民日报|[{CJK}]{{2,6}}报社?)?{_ROLE_WORDS}[ ]*[{CJK} ]{{2,40}}"
                          f"(?:[/／][{CJK}]{{2,6}}(?:报道|報導|电|電))?$")
_ROLE_LEAD = re.compile(f"^(?:新华社|中新社|中央社|人民日报|[{CJK}]{{2,6}}报社?)?{_ROLE_WORDS}")
_TEXT_AND_PHOTO = re.compile(r"\s+(?:文/图|图/文|文／图|图／文|文图|图文)$")
_BYLINE_SLASH = re.compile(f"^(?:文|图|圖|文图|文/图|图/文|文·图|撰文|采写)\\s*[/／:：｜|]\\s*([{CJK}·、 ]{{2,30}})$")
# 文：X　圖：Y, 文／記者X　攝影／記者Y: several role/name pairs
_BYLINE_PAIRS = re.compile(f"^(?:(?:文|图|圖|攝影|摄影|攝|摄|撰文|采写|文字|圖片|图片)\\s*[/／:：]\\s*[{CJK}·]{{2,9}}[\\s　、]*){{2,4}}$")
_SIGNED = re.compile(f"^[{CJK}]{{0,12}}(?:读者|讀者|市民|网友|網友|作者|教师|教師|医生|醫生|医师|醫師|职工|干部|工人|农民|"
                     f"居民|老人|党员|學生|学生|村民)[\\s　]+([{CJK}·]{{2,4}})$")  # …读者　祝春生, 退休教师　沐春华  # …读者　祝春生
# a letter signed with a dash, the writer's district before the name: ——城西区 司马雯
_DASH_SIGNED = re.compile(f"^[—－]{{1,2}}\\s*(?:[{CJK}]{{2,8}}(?:区|區|县|縣|市|镇|鎮|乡|鄉|村|街道|社区|社區)[\\s　]+)?([{CJK}·]{{2,3}})$")
_MADE_BY = re.compile(f"^([{CJK}·]{{2,4}})[\\s　]+(?:作|繪|绘|画|畫)$")  # a cartoon's credit: 吕晓帆　作
_AUTHOR_NOTE = re.compile(f"^[(（]\\s*作者\\s*[:：]\\s*([{CJK}·]{{2,4}})\\s*[，,、]\\s*(?:系|为|是|現任|现任).{{1,50}}[)）]$")
_REPORTED = re.compile(f"^([{CJK}·]{{2,4}}(?:\\s*[、 ]\\s*[{CJK}·]{{2,4}}){{0,4}})\\s*(?:报道|報道|報導|报导)"
                       r"(?:\s+[\w.+-]+@[\w.-]+)?$")  # 陈慧敏 报道 (hmchen@…): Singapore and Malaysian bylines
_SIGNED_NOTE = re.compile(f"^[(（]\\s*([{CJK}·]{{2,4}})\\s*[，,、]\\s*(?:作者)?(?:系|为|為|是|现任|現任|现为|現為).{{1,60}}[)）]$")
_COMPILED_BY = re.compile(f"^[(（][^()（）]{{0,24}}?([{CJK}·]{{2,4}})\\s*(?:整理|辑|輯|撰稿)\\s*[)）]$")  # （…供稿 X 整理）
_SOURCE_CREDIT = re.compile(f"^(?:来源|來源)\\s*[:：]\\s*[^()（）]{{1,24}}[(（]\\s*((?:{_ROLE_WORDS})[^()（）]{{1,40}})[)）]$")
_EXCERPT = re.compile(r"^[(（]\s*(?:摘自|摘编自|转载自|转自|据|来源[:：]?)\s*\S[^()（）]{0,40}[)）]$")
_ROLE_CREDIT = re.compile(f"^[(（]\\s*(?:{_ROLE_WORDS}|(?:融媒体|新闻|新聞)中心)[^()（）]{{1,30}}[)）]$")  # （通讯员 其木格）, （融媒体中心 X）
_ROLE_ONLY = re.compile(f"^[{MARKS}]?\\s*{_ROLE_WORDS}$")
_METADATA = re.compile(r"^(?:(?:来源|來源)\s*[:：]\s*\S{2,16}\s+)?(?:作者|記者|记者)\s*[:：]\s*(.+?)"
                       r"(?:\s{2,}|\u3000|来源|來源|编辑|編輯|责编|发布|發佈|$)")  # 来源：X报　作者：Y　编辑：…
_TW_LEDE = re.compile(f"^[【\\[]?\\s*(?:{_ROLE_WORDS})([{CJK}·]{{2,4}})\\s*[/／]\\s*[{CJK}]{{2,6}}(?:報導|报道|報道|報導)\\s*[】\\]]?")
_WIRE_LEDE = re.compile(f"^[(（]\\s*([{CJK}]{{2,6}}社)\\s*(?:{_ROLE_WORDS})([{CJK}·]{{2,4}})([{CJK}]{{2,6}}?)"
                        f"(\\d{{1,2}}|[一二三四五六七八九十廿卅]{{1,3}})日[电電]\\s*[)）]")
_HK_LEDE = re.compile(f"^[【\\[]\\s*[{CJK}]{{0,8}}(?:專訊|专讯|訊|讯)\\s*[】\\]]\\s*(?:(?:{_ROLE_WORDS})([{CJK}·]{{2,4}}?)(?:報道|报道|報導)[:：])?")
_LEDE = re.compile(f"^[【\\[]?\\s*(本报讯|本報訊|本报消息|本報消息|本报[{CJK}]{{1,8}}讯|本報[{CJK}]{{1,8}}訊|"
                   f"本[报報][{CJK}]{{0,8}}(?:\\d{{1,2}}月)?\\d{{1,2}}日[讯訊]|"  # 本报4月16日讯, 本报北京4月16日讯
                   f"[{CJK}]{{2,8}}(?:报|報)(?:讯|訊)|"  # 南屿晚报讯: the paper names itself
                   f"(?:网友|网民|市民|读者|群众|听众)(?:留言|来信|来电|提问|投诉)(?=】|\\]|[:：])|编辑同志[:：]|"  # a reader's item opens
                   f"本报[{CJK}]{{1,8}}?(?:\\d{{1,2}}月)?\\d{{1,2}}日电|本報[{CJK}]{{1,8}}?(?:\\d{{1,2}}月)?\\d{{1,2}}日電|"
                   f"新华社[{CJK}]{{0,8}}?(?:\\d{{1,2}}月)?(?:\\d{{1,2}}|[一二三四五六七八九十廿卅]{{1,3}})日电|"
                   f"[{CJK}]{{2,8}}社[{CJK}]{{0,8}}?(?:\\d{{1,2}}月)?(?:\\d{{1,2}}|[一二三四五六七八九十廿卅]{{1,3}})日[电電]|"
                   f"[{CJK}]{{2,8}}社[{CJK}]{{0,8}}[电電]|"
                   f"据[{CJK}]{{1,6}}社(?:报道|報道|消息|电|電)(?=[，,]))\\s*[】\\]]?"  # 据法新社报道，: a wire digest
                   r"\s*(?:[(（]([^()（）]{1,50})[)）])?")
_WIRE = re.compile(f"((?:新华社|[{CJK}]{{2,6}}社|本报|本報)[{CJK}]{{0,8}}?(?:\\d{{1,2}}月)?"
                   f"(?:\\d{{1,2}}|[一二三四五六七八九十廿卅]{{1,3}})日[电電])")
_CREDIT = re.compile(f"[(（]\\s*((?:新华社|[{CJK}]{{2,6}}社|本报|本報)[{CJK}\\d月日]{{0,16}}[电電])\\s*[/／　 ]?\\s*"
                     f"((?:{_ROLE_WORDS})[^()（）]{{1,40}})[)）]\\s*$")
_AFFIL = re.compile(r"^[(（]\s*作者\s*(单位|系|單位|为|為|是|现任|現任|现为|現為)[:：]?.{1,60}[)）]$")
_COLUMN_WORDS = ("时评|評論|评论|短评|快评|锐评|热评|漫评|论坛|言论|社论|社評|社评|述评|观察|随笔|杂谈|手记|来论|新论|"
                 "简讯|快讯|速递|速览|要闻|导读|聚焦|视点|关注|热线|专栏|图片新闻|图片报道|图说|读者来信|来信|漫画|提示|"
                 "闲话|夜话|漫笔|札记|旧事|往事|茶座|走笔|絮语|书评|诗页|连载|封面故事|街谈|动态|播报")
_COLUMN_NAME = re.compile(f"^[{CJK}]{{0,4}}({_COLUMN_WORDS})$")
_NOTE = re.compile(r"^[(（].{0,120}(课题|项目|基金|规划).{0,120}(成果|编号|资助).{0,60}[)）]$")
_ATTRIB = re.compile(f"^[(（]\\s*([{CJK}·]{{2,4}})\\s+([^()（）]{{2,60}})[)）]$")
_JOB = re.compile(r"(书记|长|主任|委员|教授|研究员|主席|经理|董事|干部|记者|作者|专家|会员|负责人|员|师|家)")
_CONT = re.compile(r"[(（]\s*(上接|下转|接|转|上接第|下轉|上接)\s*(?:第)?\s*([0-9A-Za-z一二三四五六七八九十]{1,4})\s*版[^()（）]{0,8}[)）]")
_DATE_LINE = re.compile(r"^[(（]\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[)）]$")
_TIME = r"(?:上午|下午|晚上|晚间|晚|早上|清晨|凌晨|中午|傍晚|夜间|深夜|零时|\d{1,2}时)"
_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*[至到—–\-~]\s*(?:\d{1,2}月)?\d{1,2}日)?"
                   rf"(?={_TIME}?[，,在举召开启落授投起]|{_TIME})")  # 5月20日起至…: from the first day
_DAY = re.compile(rf"(?<=[{CJK}])(\d{{1,2}})日(?={_TIME}?(?:投入|举行|召开|开幕|闭幕|落幕|启动|开通|发布|宣布|上线|开工|竣工|揭牌|成立))")
_CAPTION = re.compile(r"[(（](左|右|中|前排|后排|左一|右一|左二|右二|左起|右起)[^()（）]{0,4}[)）]|^图为|^▶|^[▲△]|[摄攝][)）]?$")
_PHOTO_CREDIT = re.compile(f"^(?:{_ROLE_WORDS})?\\s*([{CJK}·][{CJK}· 、]{{1,20}}?)\\s*[/／]?\\s*(?:摄|攝|摄影|攝影)$")  # X摄, X/摄
_COLUMN_TAG = re.compile(f"[（(][{CJK}]{{2,6}}[）)]$")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禚逯")


def names_of(text: str) -> list[str]:
    """Names in a byline fragment: role words dropped, letter-spacing undone."""
    s = fix_spaces(text.strip(MARKS + " "), prose=False)
    s = _ROLE.sub(" ", s.replace("/", " ").replace("／", " "))
    out = []
    for tok in re.split(r"[\s、，,；;]+", s):
        tok = tok.strip(MARKS + " ()（）")
        if _NAME.match(tok) and not _ROLE.search(tok) and not _AGENCY.fullmatch(tok):
            out.append(tok)
    return out


def byline_line(line: str) -> tuple[list[str], bool] | None:
    """(names, bare) when the line is a byline; bare = an author mark or 文/… without reporter
    words (the signature of a commentary)."""
    s = fix_spaces(line.strip(), prose=False)
    if not s or len(s) > 60 or "，" in s or "。" in s or ends_sentence(s):
        return None
    if _ROLE_LEAD.match(s):
        s = _TEXT_AND_PHOTO.sub("", s)  # 记者 X 文/图: X wrote and photographed
    compact = "".join(s.split()).strip(MARKS + "【】[]")
    if _REPORTING_LABEL.fullmatch(compact) or _BOX_LABEL.fullmatch(compact):
        return None  # 【记者调查】, 记者手记, ■链接: a label of the story or its box, not a reporter named 调查
    m = _BYLINE_MARKED.match(s)
    if _BYLINE_PAIRS.match(s):
        names = names_of(re.sub(r"(?:文|图|圖|攝影|摄影|攝|摄|撰文|采写|文字|圖片|图片)\s*[/／:：]", " ", s))
        return (names, False) if names else None
    signed = _SIGNED.match(s) or _DASH_SIGNED.match(s)
    if signed:
        return [signed.group(1)], True
    reported = _REPORTED.match(s)
    if reported:
        names = names_of(reported.group(1))
        return (names, False) if names else None
    slash = _BYLINE_SLASH.match(s)
    if slash:
        names = names_of(slash.group(1))
        # 文/X signs a commentary; 文/图 本报记者 X is a reporter's byline
        return (names, s[0] == "文" and not _ROLE.search(slash.group(1))) if names else None
    body = m.group(1) if m else (s if _BYLINE_ROLE.match(s) else None)
    if body is None or column_name(body):
        return None  # ■ 简讯: the column's standing head, not an author
    body = re.sub(f"[/／][{CJK}]{{2,6}}(?:报道|報導|电|電)$", "", body)  # 特派記者王某/北京報導
    body = re.sub(f"^(?:新华社|中新社|中央社|人民日报|[{CJK}]{{2,6}}报社?)(?=(?:{_ROLE_WORDS}))", "", body)  # 新华社记者 X
    body = re.sub(f"\\s*(?:发自|發自)[{CJK}]{{2,8}}(?:报道|報道)?$", "", body)  # 特派记者 X 发自澄州
    rest = _ROLE.sub(" ", body)
    toks = [t for t in re.split(r"[\s、]+", rest) if t]
    names = names_of(body)
    if not names or len(names) != len(toks) or len(names) > 8:
        return None
    if m and not _ROLE.search(body) and not all(_person(n) for n in names):
        return None  # ◆法官释法, □ 案情回放: a marked cross-head, not an author
    return names, not _ROLE.search(body)


_COMPOUND = re.compile("^(欧阳|歐陽|司马|司馬|上官|诸葛|諸葛|东方|東方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|钟离|鍾離|"
                       "端木|独孤|南宫|西门|百里|呼延|澹台|公冶|申屠|太史|濮阳|淳于|单于|轩辕)")


_REPORTING_LABEL = re.compile(r"(?:本报|本報)?(?:记者|記者|编者|編者)(?:调查|調查|观察|觀察|手记|手記|探访|探訪|走访|走訪|连线|連線|"
                              r"追踪|追蹤|体验|體驗|日记|日記|札记|劄記|感言|视角|視角|直击|直擊|蹲点|蹲點|回访|回訪|核实|核實)")


_BOX_LABEL = re.compile(r"(?:新闻|新聞|相关|相關)?(?:链接|鏈接|背景|名词解释|名詞解釋|小贴士|贴士|貼士|知识点|知識點|延伸阅读|延伸閱讀|"
                        r"资料|資料|提醒|提示|温馨提示|溫馨提示)")


def box_label(line: str) -> bool:
    """The label of a box set inside a story (■链接, 【背景】, 小贴士): its text belongs to the story."""
    return bool(_BOX_LABEL.fullmatch("".join(line.split()).strip(MARKS + "【】[]：:")))


def _person(name: str) -> bool:
    """A personal name's length: two or three characters, four only after a compound surname such
    as 欧阳 (◆法官释法, □ 案情回放 are four-character cross-heads)."""
    n = name.replace("·", "")
    return len(n) <= 3 or bool(_COMPOUND.match(n))


_HOUSE_AUTHOR = re.compile(
    f"^(?:本报|本報|本刊|新华社|新華社|中新社|[{CJK}]{{2,6}}(?:日报|日報|晚报|晚報|报|報|社|台))?"
    r"(?:特约|特約|首席)?(?:评论员|評論員|时评员|時評員|评论部|評論部|编辑部|編輯部|社论|社論)$")


def house_author(line: str) -> bool:
    """A commentary signed by the paper's institution instead of a person: 本报评论员, 本報評論員,
    新华社评论员, 本报特约评论员, 本刊编辑部 (a byline line that names nobody)."""
    return bool(_HOUSE_AUTHOR.match("".join(line.split()).strip(MARKS)))


def role_only(line: str) -> bool:
    """A byline whose names are on the next line: 本报记者 / 本報記者 / ■ 记者."""
    return bool(_ROLE_ONLY.match("".join(line.split())))


def name_only(line: str) -> list[str]:
    """The names of a line that holds nothing but 1–4 personal names (2–4 characters each)."""
    s = line.strip()
    toks = [t for t in re.split(r"[\s、，,]+", fix_spaces(s, prose=False)) if t]
    if not 1 <= len(toks) <= 4 or not all(re.fullmatch(f"[{CJK}·]{{2,4}}", t) for t in toks):
        return []
    return toks


def metadata_byline(line: str) -> list[str] | None:
    """Names from a web copy's metadata line: 作者：本报记者 X　来源：…　发布时间：…"""
    m = _METADATA.match(line.strip())
    if not m:
        return None
    # 作者：黎小苒（东岚市第三中学教师）: the writer's school or employer in brackets is no name
    names = names_of(re.sub(r"[（(][^()（）]{2,30}[)）]\s*$", "", m.group(1)))
    return names or None


def maybe_name(line: str) -> bool:
    """A bare 2–4 character line starting with a common surname (a speaker/author line)."""
    s = line.strip()
    return 2 <= len(s) <= 4 and cjk_count(s) == len(s) and s[0] in _SURNAMES


_DATE_GAP = re.compile(r"(?<=\d) (?=[日月电電讯訊])|(?<=[月]) (?=\d)")


def lede(text: str) -> tuple[str, list[str]] | None:
    """(dateline prefix, names) when text opens with 本报讯（记者 X）, 本报X讯, 【本報消息】,
    本报合肥18日电（记者 X）, 【新华社重庆十四日电】（记者X）, and the Taiwan / Hong Kong forms
    【記者X／高雄報導】, （中央社記者X台北1日電）, 【維港新報訊】記者X報道：; a gap OCR put inside the
    date (新华社北京4月2 日电) is read through."""
    text = _DATE_GAP.sub("", text[:80]) if " " in text[:40] else text
    m = _LEDE.match(text)
    if m and not m.group(2):
        hk = _HK_LEDE.match(text)  # 【維港新報訊】記者X報道：names the reporter after the bracket
        if hk and hk.group(1):
            return hk.group(0), [hk.group(1)]
    if m:
        return m.group(0), names_of(m.group(2) or "")
    m = _TW_LEDE.match(text)
    if m:
        return m.group(0), [m.group(1)]
    m = _WIRE_LEDE.match(text)
    if m:
        return m.group(0), [m.group(2)]
    m = _HK_LEDE.match(text)
    if m:
        return m.group(0), [m.group(1)] if m.group(1) else []
    return None


def wire_dateline(text: str) -> str | None:
    """The 电头 of a lede or credit, without brackets: 新华社北京3月4日电, 本报合肥18日电,
    中央社台北1日電 (the reporter's name taken out)."""
    m = _WIRE_LEDE.match(text)
    if m:
        return f"{m.group(1)}{m.group(3)}{m.group(4)}日{text[m.end() - 2]}"
    m = _WIRE.search(text[:60])
    return m.group(1) if m else None


_TAIL_ROLE_CREDIT = re.compile(f"[。！？”」][(（]\\s*((?:{_ROLE_WORDS})[^()（）]{{1,30}})[)）]\\s*$")

# a reader's item signed at its end with district and name: …建议多设几处。（高新区 俞晓）
_TAIL_PLACE_SIGNED = re.compile(f"[。！？”」][(（]\\s*[{CJK}]{{1,8}}(?:区|區|县|縣|市|镇|鎮|乡|鄉|村|街道|社区|社區)"
                                f"[\\s　]*([{CJK}·]{{2,3}})\\s*[)）]\\s*$")

# a short commentary signed with the writer's name alone: …值得推广。（贺知秋）
_TAIL_NAME_SIGNED = re.compile(f"[。！？”」][(（]\\s*([{CJK}·]{{2,3}})\\s*[)）]\\s*$")
_NOT_NAME = re.compile(r"^(?:周[一二三四五六日末]|[上下]午|全文|完|待续|未完|续|图|图文|记者|通讯员|本报|全国|全市|全省)")


def closing_credit(paragraph: str) -> tuple[list[str], str | None] | None:
    """(names, 电头) of a credit closing the last paragraph: a wire credit
    （新华社北京3月4日电 / 记者晏秋禾、濮星野）, a reporter's （记者 钱沐阳） after the last sentence,
    or a reader's district and name （高新区 俞晓）."""
    m = _CREDIT.search(paragraph[-80:])
    if m:
        names = names_of(m.group(2))
        return (names, m.group(1)) if names else None
    m = _TAIL_ROLE_CREDIT.search(paragraph[-50:])
    if m is None:
        m = _TAIL_PLACE_SIGNED.search(paragraph[-30:]) or _TAIL_NAME_SIGNED.search(paragraph[-12:])
        m = m if m and m.group(1)[0] in _SURNAMES and not _NOT_NAME.match(m.group(1)) else None  # not 城区居民, 周五
    if m:
        names = names_of(m.group(1))
        return (names, None) if names else None
    return None


def trailer(line: str) -> tuple[str, list[str]] | None:
    """Closing lines of a piece: (kind, names) for 作者单位 / funding note / (Name 职务) / （X，作者系…）/
    a wire credit / （X 整理） / a source line naming the reporter (来源：X报（记者 Y））."""
    s = line.strip()
    if len(s) > 200:
        return None
    if _AFFIL.match(s):
        return "affiliation", []
    if _ROLE_CREDIT.match(s) and column_tag(s) != s:  # （本报记者 X 通讯员 Y） closing a story, not （记者手记）
        names = names_of(s.strip("()（）"))
        if names:
            return "credit", names
    m = _SIGNED_NOTE.match(s)
    if m:
        return "attribution", [m.group(1)]  # （X，作者系…会员）: the author signs at the end
    if _EXCERPT.match(s):  # （摘自《岚南日报》 舒曼青/文）, （据新华社）: where a reprinted piece comes from
        a = re.search(f"([{CJK}·]{{2,4}})\\s*[/／]\\s*文|作者\\s*[:：]?\\s*([{CJK}·]{{2,4}})", s)
        return "credit", names_of((a.group(1) or a.group(2)) if a else "")
    m = _COMPILED_BY.match(s) or _SOURCE_CREDIT.match(s)
    if m:
        names = names_of(m.group(1))
        if names:
            return "credit", names  # （…供稿 X 整理）, 来源：南屿晚报（记者 X）
    m = _ATTRIB.match(s)
    if m and _JOB.search(m.group(2)) and "：" not in m.group(2) and ":" not in m.group(2):
        return "attribution", [m.group(1)]
    if _NOTE.match(s):
        return "note", []
    if s[:1] in "(（" and len(s) <= 60:
        c = closing_credit(s)
        if c and _CREDIT.match(s):
            return "credit", c[0]
        m = _AUTHOR_NOTE.match(s)
        if m:
            return "attribution", [m.group(1)]
    return None


def photo_credit(line: str) -> list[str] | None:
    """Names of a photo (or cartoon) credit line: 本报记者 X 摄, 本報記者 X 攝, 吕晓帆 作, （X 摄）."""
    s = " ".join(line.split())
    if len(s) > 30:
        return None
    if s[:1] in "（(" and s[-1:] in "）)":
        s = s[1:-1].strip()  # （滕宇 摄）: the credit set in brackets under the picture
    made = _MADE_BY.match(s)
    if made:
        return [made.group(1)]
    m = _PHOTO_CREDIT.match(s)
    if not m:
        return None
    names = names_of(m.group(1))
    return names or None


_TRAILING_CREDIT = re.compile(f"(?:[\\s　（(]+|(?<=[。！？]))((?:{_ROLE_WORDS})?\\s*[{CJK}·]{{2,4}}(?:\\s+[{CJK}·]{{2,4}})?)\\s*(?:摄|攝|摄影|攝影)[)）]?$")


def split_photo_credit(line: str) -> tuple[str, list[str]] | None:
    """(caption, names) for a caption that ends with its photographer's credit:
    ``7月7日，市民在湿地公园赏荷。 本报记者 龚岚 摄``, ``…玩耍。（通讯员 沙莉 摄）``."""
    s = line.strip()
    m = _TRAILING_CREDIT.search(s)
    if not m or m.start() < 8 or not re.search(r"[。！？）)]\s*$", s[:m.start()].rstrip(" 　（(")):
        return None
    names = names_of(m.group(1))
    return (s[:m.start()].rstrip(" 　（("), names) if names else None


_NUMBERED = re.compile(r"^(\d{1,2}[.．、]|[①-⑳]|[(（]\d{1,2}[)）])\s*(\S.*)$")


def numbered_item(line: str) -> str | None:
    """The text of a numbered item (``1. 标题``, ``①…``, ``(3)…``) without its number."""
    m = _NUMBERED.match(line.strip())
    return m.group(2).strip() if m else None


def continuations(text: str) -> tuple[str, list[Continuation]]:
    """Remove (上接3版)/(下转2版) markers from text and return them."""
    found: list[Continuation] = []

    def take(m: re.Match) -> str:
        label = m.group(2)
        found.append(Continuation("from" if m.group(1).startswith(("上接", "接")) else "to", label))
        return ""

    if "版" not in text:
        return text, []
    return _CONT.sub(take, text), found


def date_line(line: str) -> str | None:
    m = _DATE_LINE.match(line.strip())
    return re.sub(r"\s+", "", m.group(1)) if m else None


def dateline(paragraph: str) -> str | None:
    """The 电头 (新华社北京3月4日电) or else the event date of a lede (3月24日, 7月28日—30日, 17日);
    relative words (近日, 昨日) give None."""
    head = paragraph[:160]
    wire = wire_dateline(head) if lede(head) else None
    if wire:
        return wire
    text = re.sub(r"(?<=\d) (?=[月日年])|(?<=[月年]) (?=\d)", "", paragraph[:400])
    m = _DATE.search(text)
    if m:
        return m.group(0)
    m = _DAY.search(text[:120])
    return m.group(0) if m else None


def caption_like(line: str) -> bool:
    s = fold(line.strip())
    return len(s) <= 60 and bool(_CAPTION.search(s))


_NOTICE_TITLE = re.compile(f"^(?:[{CJK}“”「」·]{{2,16}}(?:通知|公告|启事|啟事|声明|聲明|通告|讣告|訃告|告示|提示)"
                           f"|通知|公告|启事|啟事|声明|聲明|通告|讣告|訃告"  # 讣　告 set letter-spaced
                           # an official document's title: 关于做好2026年…工作的通知
                           f"|关于[{CJK}0-9“”「」《》·（）、]{{2,44}}的(?:通知|通告|公告|决定|意见|通报|批复|办法|方案|规定))$")


def notice_title(line: str) -> bool:
    """A notice's title (停水通知, 关于调整部分公交线路的公告): a headline even with nothing after it."""
    return bool(_NOTICE_TITLE.match("".join(line.split())))


def column_name(line: str) -> bool:
    """A column's standing head: a short name ending in a column kind (楚津论坛, 东方时评, 城事速览, 读者来信)."""
    return bool(_COLUMN_NAME.match("".join(line.split())))


def column_tag(line: str) -> str:
    """A column tag closing a headline: （时评）, （记者手记）, （现场评论）; '' if none."""
    m = _COLUMN_TAG.search(line.strip())
    return m.group(0) if m else ""


_PART_NUMBER = re.compile(r"(?<=\S)[（(](?:\d{1,3}|[上中下一二三四五六七八九十]{1,3})[）)]$")


def heading_like(line: str) -> bool:
    """Headline shape: short, no sentence-final full stop, at most one comma, no open quote or
    bracket. A final ？ or ！ and a column tag （时评） are allowed."""
    s = line.strip()
    if s.endswith(("：", ":")):
        return False  # a lead-in to a list or a quote (…注意以下几点：)
    s = _PART_NUMBER.sub("", s)  # 码头上的人们（37）, 改革纪事（上）: a serial's instalment
    tag = column_tag(s)
    if tag and len(s) > len(tag) + 1:
        s = s[:-len(tag)].rstrip()
    if s.endswith(("……", "…")) and len(s) <= 32:
        s = s.rstrip("…")  # 记者探访发现……: a headline trailing off
    if s.endswith(("？", "！", "?", "!")) and len(s) <= 32:
        s = s[:-1]
    n = len(s.replace(" ", ""))
    if tag and tag == s:
        return True  # a column tag the layout wrapped onto a line of its own
    if not 2 <= n <= 46 or ends_sentence(s) or cjk_count(s) < 2:
        return False
    f = fold(s)
    if f[0] in ",;:!?)、" or s[0] in "”’）" or "。" in s[:-1] \
            or (("？" in s[:-1] or "！" in s[:-1]) and (len(s) > 24 or "，" in s or s.count("！") + s.count("？") > 1)) \
            or re.search(r"(?:们|大家|朋友|各位|同学|乡亲)[！!]", s):  # 同志们！…: a speech, not a headline
        # 一票难求？记者探访发现, 补时绝杀！澄州队主场逆转海港: a short question or exclamation may lead
        return False
    if f.count('"') % 2 or f.count("(") != f.count(")") or s.count("《") != s.count("》"):
        return False  # a headline does not leave a quote or bracket open
    return sum(f.count(c) for c in ",;") + s.count("、") <= 1 or s.startswith("——")
