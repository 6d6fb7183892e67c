"""Reading: one page of a newspaper (text dump or PDF) -> articles.

    formats -> lines -> labels -> articles -> dates

The public entry points are re-exported here; the modules below are the stages.
"""
from __future__ import annotations

from .jumps import join_continuations
from .segment import segment_page

__all__ = ["join_continuations", "segment_page"]
