"""Regenerate the look-alike table in digest/reading/chars.py from Unicode's data file.

    python scripts/gen_equivalent_ideographs.py [/usr/share/unicode/EquivalentUnifiedIdeograph.txt]

Source: the Unicode Character Database, EquivalentUnifiedIdeograph.txt (UAX #44; Debian package
``unicode-data`` installs it under /usr/share/unicode/). Prints the table text to paste between
the markers in chars.py. digest never reads this file at run time.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

DEFAULT = "/usr/share/unicode/EquivalentUnifiedIdeograph.txt"


def parse(path: str) -> tuple[str, dict[int, int]]:
    text = Path(path).read_text(encoding="utf-8")
    version = text.splitlines()[0].lstrip("# ").strip()
    table: dict[int, int] = {}
    for line in text.splitlines():
        m = re.match(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([0-9A-F]{4,6})", line)
        if m:
            lo = int(m.group(1), 16)
            hi = int(m.group(2) or m.group(1), 16)
            for cp in range(lo, hi + 1):
                table[cp] = int(m.group(3), 16)
    return version, table


def main() -> None:
    version, table = parse(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
    items = [f"{k:X}:{v:X}" for k, v in sorted(table.items())]
    print(f"# {version}: {len(items)} mappings")
    for i in range(0, len(items), 10):
        print("    " + " ".join(items[i:i + 10]))


if __name__ == "__main__":
    main()
