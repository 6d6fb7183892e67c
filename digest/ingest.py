"""Find issues in paths, read their pages (bytes decoded by digest.decoding), and decide each issue's date.

Rules (issue = one publication on one date):
- a folder named by a date (2025-03-26/, 20250326/) is one issue; its files are its pages, in name order;
- a file whose name carries a date is one issue of one page;
- any other folder is searched: dated sub-folders and dated files as above, every other file its own issue;
- a PDF is read page by page (each page a 版) by digest.reading.pdf, its pages numbered by their 版 labels.
The date comes from the path, else from --date, else from the date the paper prints on the page
(masthead, source line), else it is guessed from the stories and marked as a guess;
`Issue.date_rule` records which (path | option | printed | guess | mtime).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from . import inputs
from .display import safe_text
from .decoding import decode, page_problems
from .errors import InputError
from .inputs import Root
from .models import Failure, Issue, Page, PageParse

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
IGNORED_SUFFIXES = {".part", ".tmp", ".partial", ".crdownload", ".swp"}
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True)
class IssueSource:
    """Files that make one issue, before reading.

    ``root`` is the tree its files must stay in (digest.inputs; None: each file as if named on
    the command line); ``paper`` the inbox paper folder it was found in (``inbox/<paper>/…``),
    else None (the publication is then --paper or DIGEST_PUBLICATION)."""

    files: tuple[Path, ...]
    path_date: dt.date | None
    root: Root | None = None
    paper: str | None = None


def date_from_name(name: str) -> dt.date | None:
    m = _DATE_IN_NAME.search(name)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _nearest_date(names: Sequence[str]) -> dt.date | None:
    """The date in the last of `names` that carries one (folder names from the top down)."""
    return next((d for d in map(date_from_name, reversed(names)) if d is not None), None)


def _candidate_name(name: str) -> bool:
    if name.startswith(".") or name.endswith("~"):
        return False  # hidden or temp files: a file being moved in atomically is not taken
    return Path(name).suffix.lower() not in IGNORED_SUFFIXES


def _is_candidate(path: Path) -> bool:
    return _candidate_name(path.name)


def _being_written(name: str) -> bool:
    """A visible name that marks a file still being written (``page.txt.part``)."""
    return not name.startswith(".") and Path(name).suffix.lower() in IGNORED_SUFFIXES


def paper_folder(name: str) -> bool:
    """True when a top-level inbox folder called `name` is a paper folder (``inbox/<paper>/…``):
    a visible name that carries no date. Its name is the publication of the issues in it."""
    return _candidate_name(name) and date_from_name(name) is None


def publication_for(source: IssueSource, explicit: str | None, default: str) -> str | Failure:
    """The publication an issue is filed under: its inbox paper folder (``inbox/<paper>/…``),
    else `explicit` (--paper), else `default` (DIGEST_PUBLICATION). An issue in a paper folder
    that --paper names otherwise is not misfiled: a Failure says so and it is not ingested."""
    if source.paper is None:
        return explicit or default
    if explicit and explicit != source.paper:
        where = os.fspath(source.files[0]) if source.files else source.paper
        return Failure(where, "read", f"it is in the paper folder of {source.paper} (inbox/{source.paper}/), "
                       f"but --paper says {explicit}; not ingested",
                       f"move it to inbox/{explicit}/, or leave out --paper (the folder names the paper)")
    return source.paper


def _failure(exc: InputError) -> Failure:
    return Failure(exc.path, "read", exc.reason, exc.hint)


class _Walk:
    """One search of the paths named on the command line (or of the inbox): the roots they are
    confined to, the folders being walked (a link back to one of them is a loop) and the folders
    already walked (a folder reached by two names is read once)."""

    def __init__(self, inbox: str | os.PathLike | None):
        self.inbox = inbox
        self.stack: list[tuple[int, int]] = []
        self.seen: set[tuple[int, int]] = set()
        self.busy = False  # a file being written (*.part, *.tmp ...) was met

    def named(self, raw: str | os.PathLike) -> Iterator[IssueSource | Failure]:
        try:
            path, root, parts = inputs.named(raw, self.inbox)
            real = inputs.confine(path, root)
            st = os.stat(real)
        except InputError as exc:
            yield _failure(exc)
            return
        except OSError as exc:
            yield _failure(inputs._os_error(path, exc))
            return
        if parts is not None and len(parts) == 0:  # the inbox itself: its top-level folders may be papers
            yield from self._folder(path, root, (st.st_dev, st.st_ino), None, top=True)
            return
        paper = parts[0] if parts and (len(parts) > 1 or stat.S_ISDIR(st.st_mode)) and paper_folder(parts[0]) else None
        paper = safe_text(paper) if paper is not None else None  # a publication name is printable text
        above = _nearest_date(parts[1 if paper else 0:-1]) if parts else None  # a date in a folder above it
        if stat.S_ISREG(st.st_mode):
            yield IssueSource((path,), date_from_name(path.name) or above, root, paper)
        elif not stat.S_ISDIR(st.st_mode):
            yield _failure(inputs.NotRegularFileError(os.fspath(path), f"not a regular file: it is {inputs._kind(st.st_mode)}",
                                                      "only page files (text or PDF) and folders of them can be read"))
        else:
            own = date_from_name(Path(os.path.abspath(path)).name)
            key = (st.st_dev, st.st_ino)
            if own or above:
                yield from self._dated(path, root, key, own or above, paper)
            else:
                yield from self._folder(path, root, key, paper)

    def _scan(self, folder: Path, root: Root) -> tuple[list[inputs.Entry], list[inputs.Entry], list[Failure]]:
        """(files, folders, failures) of `folder`: page files and folders to search, in name order."""
        try:
            entries, refused = inputs.scan(folder, root, keep=lambda n: _candidate_name(n) or self._note(n))
        except InputError as exc:
            return [], [], [_failure(exc)]
        files, folders, failures = [], [], [_failure(e) for e in refused]
        for e in entries:
            if e.is_dir:
                if e.key in self.stack:
                    failures.append(_failure(inputs.LinkLoopError(
                        os.fspath(e.path), "symbolic link loop: it leads back to a folder it is in; not followed",
                        "remove the link")))
                elif e.key not in self.seen:  # else: already read under another name
                    folders.append(e)
            elif stat.S_ISREG(e.st.st_mode):
                files.append(e)
            else:
                failures.append(_failure(inputs.NotRegularFileError(
                    os.fspath(e.path), f"not a regular file: it is {inputs._kind(e.st.st_mode)}; not read",
                    "only page files (text or PDF) can be read")))
        return files, folders, failures

    def _note(self, name: str) -> bool:
        self.busy = self.busy or _being_written(name)
        return False

    def _folder(self, folder: Path, root: Root, key: tuple[int, int], paper: str | None,
                top: bool = False) -> Iterator[IssueSource | Failure]:
        """An undated folder: each file its own issue (dated by its name), a dated folder one
        issue, other folders searched; at the top of the inbox they are paper folders."""
        self.stack.append(key)
        self.seen.add(key)
        try:
            files, folders, failures = self._scan(folder, root)
            yield from failures
            for f in files:
                yield IssueSource((f.path,), date_from_name(f.path.name), root, paper)
            for d in folders:
                day = date_from_name(d.path.name)
                if day is not None:
                    yield from self._dated(d.path, root, d.key, day, paper)
                else:
                    sub = safe_text(d.path.name) if top and paper_folder(d.path.name) else paper
                    yield from self._folder(d.path, root, d.key, sub)
        finally:
            self.stack.pop()

    def _dated(self, folder: Path, root: Root, key: tuple[int, int], day: dt.date,
               paper: str | None) -> Iterator[IssueSource | Failure]:
        """A dated folder is one issue: its files and those of its undated sub-folders (sections
        such as A/, B/) are its pages, in path order; a dated sub-folder is an issue of its own."""
        pages: list[Path] = []
        nested: list[tuple[inputs.Entry, dt.date]] = []
        failures: list[Failure] = []

        def collect(where: Path, where_key: tuple[int, int]) -> None:
            self.stack.append(where_key)
            self.seen.add(where_key)
            try:
                files, folders, fails = self._scan(where, root)
                failures.extend(fails)
                pages.extend(f.path for f in files)
                for d in folders:
                    sub = date_from_name(d.path.name)
                    if sub is not None:
                        nested.append((d, sub))
                    elif d.key not in self.seen:
                        collect(d.path, d.key)
            finally:
                self.stack.pop()

        collect(folder, key)
        yield from failures
        if pages:
            yield IssueSource(tuple(pages), day, root, paper)
        self.stack.append(key)
        try:
            for d, sub in nested:
                if d.key not in self.seen:
                    yield from self._dated(d.path, root, d.key, sub, paper)
        finally:
            self.stack.pop()


def discover(paths: Sequence[str | os.PathLike], *,
             inbox: str | os.PathLike | None = None) -> Iterator[IssueSource | Failure]:
    """Yield the issues found under `paths` and a Failure for each path or entry that cannot be
    used (missing, a link out of its root or in a loop, not a regular file); the rest goes on.

    `inbox` is the inbox folder (DIGEST_INBOX): a path inside it follows the inbox rules (confined
    to the inbox, paper folders ``inbox/<paper>/…``, dates in the folders above it up to the
    inbox); None: every path is on its own (digest.inputs explains the roots).
    """
    walk = _Walk(inbox)
    for raw in paths:
        yield from walk.named(raw)


def survey(path: str | os.PathLike, inbox: str | os.PathLike | None) -> tuple | None:
    """What the inbox watcher compares between two polls for the inbox entry `path`: a tuple of
    (file, size, mtime_ns) for every page file discovery would read there and (path, "refused",
    message) for every entry it would refuse; None while a file is still being written there
    (``*.part``, ``*.tmp`` …) or when there is nothing to read. Opens no file, lists only folders
    inside the entry's root."""
    walk = _Walk(inbox)
    sig: list[tuple] = []
    for item in walk.named(path):
        if isinstance(item, Failure):
            sig.append((item.path, "refused", item.message))
            continue
        for f in item.files:
            try:
                st = os.stat(f)
            except OSError:
                return None  # vanished while we looked: look again at the next poll
            sig.append((os.fspath(f), st.st_size, st.st_mtime_ns))
    return None if walk.busy or not sig else tuple(sig)


def is_pdf(path: Path, root: Root | None = None) -> bool:
    """A PDF file: a .pdf name or %PDF bytes (read by digest.reading.pdf, not decoded as text).
    Sniffs through the guarded open (digest.inputs): a FIFO or a file outside `root` is not a PDF
    (reading it then says why)."""
    if Path(path).suffix.lower() == ".pdf":
        return True
    try:
        with inputs.open_input(path, root) as fh:
            return fh.read(5).startswith(b"%PDF")
    except (InputError, OSError):
        return False


def read_pdf_pages(path: Path, first: int = 1, root: Root | None = None) -> tuple[list[Page], list[Failure]]:
    """The pages of a PDF (each PDF page a 版), numbered from ``first``, and a Failure for each page
    that cannot be read (a scan without text layer, a damaged page); the other pages go on.
    Raises InputError naming the file when the PDF cannot be opened (encrypted, truncated, broken)
    or is not a regular file inside `root` (digest.inputs)."""
    from .reading.pdf import OCR_HINT, document_text, read_pdf

    try:
        with inputs.open_input(path, root) as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}",
                         "check that the file is readable by the digest user and its disk is healthy") from None
    pages_: list[Page] = []
    failures: list[Failure] = []
    scans = total = 0
    for doc in read_pdf(path, root=root):
        total += 1
        if doc.meta.get("problem"):
            scans += doc.meta.get("hint") == OCR_HINT
            failures.append(Failure(doc.source, "read", doc.meta["problem"], doc.meta.get("hint", "")))
            continue
        pages_.append(Page(source=doc.source, number=first + len(pages_), text=document_text(doc),
                           sha256=digest, encoding="pdf", document=doc))
    if total and scans == total:  # a scanned PDF: one message for the file, not one per page
        failures = [Failure(str(path), "read", f"no text layer on any of its {total} page(s) (a scan?)", OCR_HINT)]
    return pages_, failures


def issue_pages(page: Page) -> list[Page]:
    """A text page that is a whole issue's dump (form-feed pages printing distinct 版 numbers)
    becomes one Page per 版, numbered by its 版 (``file.txt#page=3``) so jumps find their page;
    any other page is returned as it is."""
    from .reading.printed import issue_pages as split

    parts = split(page.text)
    if len(parts) < 2:
        return [page]
    return [dataclasses.replace(page, source=f"{page.source}#page={n}", number=n, text=part,
                                sha256=hashlib.sha256(part.encode("utf-8")).hexdigest())
            for n, part in parts]


def _by_printed_label(pages_: list[Page]) -> list[Page]:
    """Number PDF pages by the 版 label they print (第03版 -> 3) when every page prints a distinct
    one, so jumps (下转第3版) find their page; otherwise keep the running order."""
    labels = [p.document.meta.get("page_number") if p.document is not None else None for p in pages_]
    if not pages_ or None in labels or len(set(labels)) != len(labels):
        return pages_
    return [dataclasses.replace(p, number=n) for p, n in zip(pages_, labels)]


def read_page(path: Path, number: int, max_bytes: int, root: Root | None = None) -> Page:
    """Read and decode one page file (at most `max_bytes`) through the guarded open
    (digest.inputs: a regular file inside `root`; None: `path` as named on the command line).
    Raises InputError naming the file (over the size limit, not a regular file, outside its root,
    unreadable, not text)."""
    return _text_page(path, number, inputs.read_input(path, root, max_bytes))


def _text_page(path: Path, number: int, data: bytes) -> Page:
    text, encoding = decode(data, str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Page(source=str(path), number=number, text=text, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding)


def _pdf_printed_date(pages_: Sequence[Page]) -> dt.date | None:
    """The date most PDF pages of the issue print in their masthead or running header."""
    from collections import Counter

    found = Counter(p.document.meta["date"] for p in pages_ if p.document is not None and p.document.meta.get("date"))
    return dt.date.fromisoformat(found.most_common(1)[0][0]) if found else None


def _read_pdf_file(path: Path) -> FileReading:
    from .reading import issue_date, read_document

    pages_, failures = read_pdf_pages(path)
    pages_ = _by_printed_label(pages_)
    if not pages_:
        first = failures[0] if failures else None
        raise InputError(str(path), first.message if first else "no page with text", first.hint if first else "")
    parses = tuple(read_document(p.document, source=p.source, page=p.number) for p in pages_)
    printed = _pdf_printed_date(pages_)
    if printed is not None:
        date, rule, evidence = printed, "printed", f"printed: {printed.isoformat()} in the PDF's masthead or running header"
    else:
        decision = issue_date([p.text for p in pages_])
        date, rule, evidence = decision.date, decision.rule, decision.evidence
    return FileReading(parses, date, rule, evidence, tuple(p.text for p in pages_), tuple(failures))


def make_issue(source: IssueSource, pages_: Sequence[Page], publication: str,
               date: dt.date | None, fallback: dt.date | None = None) -> Issue:
    """Build the Issue for pages read from `source`, deciding its date:
    path > --date option > the date the paper prints > a guess from its stories > the file's time.
    ``Issue.date_rule`` says which (path | option | printed | guess | mtime)."""
    evidence = ""
    if source.path_date is not None:
        day, rule = source.path_date, "path"
    elif date is not None:
        day, rule = date, "option"
    elif _pdf_printed_date(pages_) is not None:
        day, rule = _pdf_printed_date(pages_), "printed"
        evidence = f"printed: {day.isoformat()} in the PDF's masthead or running header"
    else:
        from .reading.dates import issue_date

        decision = issue_date([p.text for p in pages_])
        day, rule, evidence = decision.date, decision.rule, decision.evidence
        if day is None:
            mtime = max((Path(p.source).stat().st_mtime for p in pages_ if Path(p.source).exists()), default=None)
            day = dt.date.fromtimestamp(mtime) if mtime else (fallback or dt.date.today())
            rule, evidence = "mtime", f"{evidence}; dated by the file's modification time"
    h = hashlib.sha256(publication.encode())
    for p in pages_:
        h.update(p.sha256.encode())
    return Issue(publication=publication, date=day, date_rule=rule, pages=tuple(pages_), content_hash=h.hexdigest(),
                 date_evidence=evidence)


def read_issue(source: IssueSource, publication: str, date: dt.date | None,
               max_bytes: int) -> tuple[Issue | None, list[Failure]]:
    """Read every page of an issue; a bad page is reported and the rest go on."""
    failures: list[Failure] = []
    pages_: list[Page] = []
    for path in source.files:
        try:
            data = None if Path(path).suffix.lower() == ".pdf" else inputs.read_input(path, source.root, max_bytes)
            if data is None or data.startswith(b"%PDF"):  # one guarded open per text page, sniffed here
                more, fails = read_pdf_pages(path, len(pages_) + 1, source.root)
                pages_.extend(more)
                failures.extend(fails)
            else:
                page = _text_page(path, len(pages_) + 1, data)
                failures.extend(Failure(str(path), "read", m, h) for m, h in page_problems(page.text))
                pages_.extend(issue_pages(page))
        except InputError as exc:
            failures.append(_failure(exc))
    if not pages_:
        return None, failures
    pages_ = _by_printed_label(pages_)
    return make_issue(source, pages_, publication, date), failures


@dataclass(frozen=True)
class FileReading:
    """One file read on its own (``digest segment``, the evaluation): its pages and their date."""

    pages: tuple[PageParse, ...]
    date: dt.date | None
    date_rule: str  # printed | guess | none
    date_evidence: str
    texts: tuple[str, ...] = ()  # the decoded text of each page
    failures: tuple[Failure, ...] = ()  # pages that could not be read (a PDF page without a text layer)


def read_file(path: str | os.PathLike, max_bytes: int = 50 * 2**20) -> FileReading:
    """Decode and read one page file (or every page of a PDF) into articles, and decide its date
    from what it prints.

    Raises InputError naming the file when it cannot be read or decoded, or when no page of a PDF
    has text (the hint says to run OCR)."""
    from .reading import issue_date, read_text

    if is_pdf(Path(path)):
        return _read_pdf_file(Path(path))

    pages_ = issue_pages(read_page(Path(path), 1, max_bytes))
    parses = tuple(read_text(p.text, source=p.source, page=p.number) for p in pages_)
    decision = issue_date([p.text for p in pages_])
    return FileReading(parses, decision.date, decision.rule, decision.evidence, tuple(p.text for p in pages_))
