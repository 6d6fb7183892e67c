"""Text the summariser reads: wrapped lines joined, and sentences as a Chinese reader counts them.

``clean_text`` joins the lines of extracted text into paragraphs (one per line). ``split_sentences``
cuts a paragraph into sentence spans following Chinese news punctuation (GB/T 15834-2011, 标点符号用法):

- a sentence ends at 。！？!? (and at ；/; when asked), at ……/… that closes a sentence, and takes
  the closing quotes and brackets that follow it;
- a quotation is atomic: a full stop inside “…” 「…」 『…』 never ends the sentence, so no sentence
  starts or ends mid-quote;
- a quotation that ends a sentence and is followed by its attribution is one sentence with it:
  ``“这是初级班。”王老师告诉记者。`` and ``“…才16岁。”负责人韦一朵告诉记者，食堂每天…。``;
- a quotation mark that has no partner in the paragraph (a quote running over several paragraphs,
  or a mark lost in extraction) does not hold the rest of the paragraph together: the sentences
  around it are still cut, and ``quote_balance`` tells the caller which ones are broken.
"""
from __future__ import annotations

import re

HAN = r"\u4e00-\u9fff"
STOPS = "。！？!?"
CLOSERS = "”’」』）)】]》\"'"
OPEN_QUOTES = "“「『"
CLOSE_QUOTES = "”」』"
_PAIR = {"“": "”", "「": "」", "『": "』"}
_CJK = rf"{HAN}，。、；：！？“”（）《》…—"
_SPACE = re.compile(rf"(?<=[{_CJK},;:()\"])[ \t\u3000\xa0]+(?=[{HAN}])|(?<=[{_CJK}])[ \t\u3000\xa0]+(?=[{_CJK}\d])"
                    rf"|(?<=[{_CJK}\d])[ \t\u3000\xa0]+(?=[{_CJK}])")
_SOFT_END = re.compile(r"[，、：；,:;]$")
LINE_END = re.compile(rf"[{STOPS}…][{re.escape(CLOSERS)}]*$")
HEADINGISH = re.compile(r"^(#|[□■▲◆●★☆]|!\[|\||>|-{3,}|\*\*)")
_EMPHASIS = re.compile(r"\*\*|__")  # Markdown bold markers left by the PDF-to-text step
MAX_CHARS_IN = 60_000  # text beyond this is ignored

# A speech clause after a closing quotation: ”王老师告诉记者。 / ”她说， / ”负责人韦一朵介绍：
# (a short clause, no sentence end inside, ending in a verb of saying).
SPEECH = (r"(?:说|道|讲|问|答|称|表示|介绍|告诉|指出|强调|坦言|直言|感慨|感叹|回忆|透露|补充|解释|认为|提醒|"
          r"呼吁|建议|笑言|笑称|坦承|谈到|说起|评价|表态|寄语|叮嘱|嘱咐|宣布|坦陈|"
          # a reaction that owns the quotation before it: “…！”武女士赞不绝口。
          r"赞不绝口|连连称赞|称赞|赞叹|夸赞|点赞|诉苦|抱怨|吐槽|感谢|道谢|连声道谢|"
          # the same verbs in traditional characters (the splitter reads the original text)
          r"說|講|問|稱|介紹|告訴|強調|感嘆|回憶|補充|解釋|認為|呼籲|建議|談到|說起|評價|表態|叮囑|囑咐|坦陳|"
          r"讚不絕口|稱讚|讚嘆|誇讚|點讚|訴苦|抱怨|感謝|道謝)")
_ATTRIBUTION = re.compile(rf"^[^。！？!?；;“”「」]{{0,24}}?{SPEECH}(?:道|着|说|說|起来|記者|记者|我们|我們)?$")


_WHEN = re.compile(r"^(?:\d{1,2}月\d{1,2}日|\d{1,2}日|[今昨前当當]天|日前|近日|当日|當日|当晚|當晚|会上|會上|采访中|採訪中)"
                   r"[上下午晚]{0,2}$")


def clean_text(text: str) -> str:
    """The text sentences are taken from: wrapped lines joined, one paragraph per line.

    A blank line ends a paragraph unless the text before it obviously runs on (column wrapping in
    PDF extraction: it ends with a comma, or it is prose stopped mid-sentence); stray spaces
    between Chinese characters and Markdown bold markers are dropped.
    """
    if not text:
        return ""
    text = text[:MAX_CHARS_IN].replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    paragraphs: list[str] = []
    current = ""
    for raw in text.split("\n"):
        line = raw.strip(" \t\u3000\xa0\ufeff")
        if not line:
            runs_on = _SOFT_END.search(current) or (
                re.search(r"[。！？]", current) and not LINE_END.search(current) and not HEADINGISH.match(current))
            if current and not runs_on:
                paragraphs.append(current)
                current = ""
            continue
        if current and (LINE_END.search(current) or HEADINGISH.match(current) or HEADINGISH.match(line)):
            paragraphs.append(current)
            current = line
        elif current:
            sep = " " if re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9,.;:]$", current) else ""
            current += sep + line
        else:
            current = line
    if current:
        paragraphs.append(current)
    return "\n".join(_SPACE.sub("", _EMPHASIS.sub("", p)) for p in paragraphs)


def quote_pairs(paragraph: str) -> tuple[dict[int, int], set[int]]:
    """Matching quotation marks of a paragraph: ``({open index: close index}, {unmatched indices})``.

    “…” 「…」 『…』 nest; a closing mark that does not match the innermost open one, an open mark
    never closed and a close mark never opened are unmatched.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    bad: set[int] = set()
    for i, ch in enumerate(paragraph):
        if ch in OPEN_QUOTES:
            stack.append(i)
        elif ch in CLOSE_QUOTES:
            if stack and _PAIR[paragraph[stack[-1]]] == ch:
                pairs[stack.pop()] = i
            elif any(_PAIR[paragraph[j]] == ch for j in stack):  # close an outer quote: inner ones were left open
                while _PAIR[paragraph[stack[-1]]] != ch:
                    bad.add(stack.pop())
                pairs[stack.pop()] = i
            else:
                bad.add(i)
    bad.update(stack)
    return pairs, bad


def quote_balance(sentence: str) -> str:
    """``"ok"``, ``"open"`` (a quotation opened and not closed in the sentence) or ``"cut"`` (a closing
    mark whose opening is not in the sentence: it starts mid-quote)."""
    _, bad = quote_pairs(sentence)
    if not bad:
        return "ok"
    return "cut" if any(sentence[i] in CLOSE_QUOTES for i in bad) else "open"


def _run_end(p: str, i: int) -> int:
    """Index after a run of terminators (。！？…) starting at i."""
    n = len(p)
    while i < n and (p[i] in STOPS or p[i] == "…"):
        i += 1
    return i


def attribution_end(p: str, j: int, pairs: dict[int, int]) -> int | None:
    """If a speech clause (王老师告诉记者。 / 她说，“…”) follows position j, where the sentence that
    owns it ends; else None."""
    n = len(p)
    k = j
    while k < n and k - j <= 40:
        ch = p[k]
        if ch in OPEN_QUOTES:
            if k not in pairs or pairs[k] - k > 16:  # a new quotation, not a short name like “爱心食堂”
                break
            k = pairs[k] + 1
            continue
        if ch in "，,：:" or ch in STOPS:
            clause = re.sub(r"“[^”]*”", "", p[j:k]).strip()
            if ch in "，," and _WHEN.match(clause):  # ”3月24日，书记彭志国说。: a time clause first
                j = k + 1
                k += 1
                continue
            if not _ATTRIBUTION.match(clause):
                return None
            if ch in STOPS:
                return _close_run(p, _run_end(p, k))
            return _sentence_end(p, k + 1, pairs)  # 她说，“…” / 他告诉记者，食堂每天…。
        if ch in "；;":
            return None
        k += 1
    return None


def _close_run(p: str, j: int) -> int:
    while j < len(p) and p[j] in CLOSERS:
        j += 1
    return j


def _sentence_end(p: str, start: int, pairs: dict[int, int], semi: int = 10**9) -> int:
    """End of the sentence that starts at ``start`` (quotations atomic, attribution attached)."""
    n = len(p)
    i = start
    while i < n:
        ch = p[i]
        if ch in OPEN_QUOTES and i in pairs:
            close = pairs[i]
            if close + 1 < n and p[close - 1] in STOPS + "…" and close > start:
                # “…。” ends here unless an attribution follows
                att = attribution_end(p, close + 1, pairs)
                if att is not None:
                    return att
                if i == start or p[i - 1] in "：:，,":  # 他说：“….” -- the quote closed the sentence
                    return _close_run(p, close + 1)
            i = close + 1
            continue
        stop = ch in STOPS or (ch in "；;" and i - start >= semi)
        if ch == "…":  # ……。 / ……” / …… at the end close a sentence; "……多项指标" lists go on
            k = i
            while k < n and p[k] == "…":
                k += 1
            stop = k >= n or p[k] in STOPS or p[k] in CLOSERS or p[k] == "“"
        if ch == "." and 0 < i < n - 1 and not p[i + 1].isascii():
            stop = not p[i - 1].isascii()
        if stop:
            end = _close_run(p, _run_end(p, i + 1) if ch != "；" and ch != ";" else i + 1)
            if any(c in CLOSE_QUOTES for c in p[i:end]):  # a close mark whose open is not here: 。”她说。
                att = attribution_end(p, end, pairs)
                if att is not None:
                    return att
            return end
        i += 1
    return n


def split_sentences(paragraph: str, semicolon_split: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``[(start, end), ...]`` of one paragraph, covering it in order.

    ``semicolon_split``: a ；/; ends a sentence once the sentence is that long (default 0: always;
    ``10**9``: never). Blank spans are dropped.
    """
    semi = 0 if semicolon_split is None else semicolon_split
    pairs, _ = quote_pairs(paragraph)
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(paragraph)
    while start < n:
        end = _sentence_end(paragraph, start, pairs, semi)
        end = max(end, start + 1)
        spans.append((start, end))
        start = end
    return [(a, b) for a, b in spans if paragraph[a:b].strip()]
