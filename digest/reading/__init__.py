"""Reading: one page of a newspaper (a text dump, Markdown/HTML copy or PDF page) -> articles.

    formats.py   text in any format      -> Document (lines.py: lines with layout features)
    exports.py   field-labelled exports  -> the plain page shape (标题：/作者：/正文： fields)
    pdf*.py      a PDF page              -> Document (type sizes, reading order, page furniture)
    furniture.py page furniture          -> masthead, footers, credits, menus; printed date/paper/版
    chrome.py    web/app chrome          -> section menus, 发布/更新 lines, WeChat post header/END/share bar
    fields.py    one-line fields         -> bylines, ledes, credits, captions, jump markers, headline shape
    labels.py    the line labeller       -> labelled units (unit.py), each with its reason; runs.py
                                            shapes runs of lines into headline groups and paragraphs,
                                            shapes.py lines holding two things (run-in heads, head +
                                            byline, numbered heads, 【unit】 items, data tables)
    joins.py     repairs                 -> repeats dropped, interlopers lifted, cut paragraphs glued
    articles.py  assembly                -> stories (headline groups, cross-heads, briefs, back layout);
                                            heads.py: is a headline group a story's head or a cross-head
    reorder.py   reading order           -> interleaved column chunks and separated headlines put back
    finish.py    fields of a story       -> Article (title, byline, dateline, kind)
    page.py      the above, for one page -> PageParse (articles + every line's label)
    jumps.py     across pages            -> stories continued (下转/上接) joined
    dates.py     issue date              -> printed, else guessed (and said so)
    printed_dates.py                     -> the date forms papers print (2026年3月5日, 二〇二六年…, 民國113年…)
    printed.py   what furniture says     -> paper, issue date and 版 label; the 版 pages of an issue dump
    repair.py, chars.py, words.py        -> text repair: broken lines, spaces, punctuation, look-alikes
"""
from __future__ import annotations

from .dates import DateDecision, issue_date
from .jumps import join_continuations
from .lines import Document, Line
from .page import read_document, read_text

__all__ = ["DateDecision", "Document", "Line", "issue_date", "join_continuations", "read_document", "read_text"]
