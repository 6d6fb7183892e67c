"""A headline as a paper prints it: 引题 (kicker) small above, 主题 (main title) large, 副题 (subtitle) below.

The reader stores a headline as its parts joined by " | " in printed order (`Article.title`) and
names the main part (`Article.main_title`). `headline()` is the one place that splits them again;
the e-mail, the plain text and the preview all render from its result.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import Article

SEPARATOR = " | "
SUBTITLE_DASH = "——"


@dataclass(frozen=True)
class Headline:
    """kickers: 引题 lines above the main title; main: the 主题; subtitles: 副题 lines below (as printed, e.g. "——访…")."""

    main: str
    kickers: tuple[str, ...] = ()
    subtitles: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        return (*self.kickers, self.main, *self.subtitles)


def split_title(title: str | None, main_title: str | None = None) -> Headline | None:
    """Split "引题 | 主题 | ——副题" into a Headline; None for an empty title.

    The main title is `main_title` when it is one of the parts; else, like the reader, the second
    part not starting with —— when there are two or more such parts (the first is the 引题), else
    the first such part. Parts before the main title are 引题; parts after it (—— or not) are 副题.
    """
    parts = [p.strip() for p in (title or "").split(SEPARATOR.strip())]
    parts = [p for p in parts if p]
    if not parts:
        return None
    main_title = (main_title or "").strip()
    if main_title in parts:
        at = parts.index(main_title)
    else:
        plain = [i for i, p in enumerate(parts) if not p.startswith(SUBTITLE_DASH)]
        at = plain[1] if len(plain) >= 2 else (plain[0] if plain else 0)
    return Headline(main=parts[at], kickers=tuple(parts[:at]), subtitles=tuple(parts[at + 1:]))


def headline(article: Article) -> Headline:
    """The article's headline; an untitled story gets its display title (opening clause) as main title."""
    return split_title(article.title, article.main_title) or Headline(main=article.display_title)
