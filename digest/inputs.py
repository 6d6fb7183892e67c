"""Opening input files: the one guarded way. Nothing outside its root is ever opened.

Every page file digest reads (``digest ingest``, the inbox job of ``digest run``, ``segment`` and
``summarize``, PDF pages, the preview's view of a PDF page) is opened by :func:`open_input`, and
every folder it searches is listed by :func:`scan`; both confine what they touch to a *root*:

- **The inbox** (DIGEST_INBOX, resolved once: the setting may itself be a link) is the root of
  everything in it, whether found by ``digest run``, by ``digest ingest`` without a path, or named
  on the command line (``digest ingest inbox/2025-07-18``, ``digest segment inbox/…``). A link in
  the inbox is followed only when it leads to a place inside the inbox; ``inbox/etc -> /etc`` is
  refused, at the top level and at any depth, and so is ``inbox/etc/passwd`` named through it.
- **A path named on the command line outside the inbox** is resolved once: the folders leading to
  it are followed wherever they go (``/srv -> /data``), and the named file or folder is the root
  of what is read under it. If the named path is itself a link, it is followed only to a place in
  the same folder (``latest -> 2025-07-18``); a named link that leads out of its folder
  (``upload/x -> /etc``, which ``digest ingest upload/*`` would name) is refused: name its
  target instead. Links below a named folder must stay inside that folder.
- Only regular files are opened: a FIFO, a device or a socket is refused before it is opened
  (and opened non-blocking, so a file swapped for a FIFO meanwhile cannot hang the command).
- A link loop (``a -> b``, ``b -> a``) or a link back to a folder the walk is inside
  (``self -> .``) is refused; the other entries go on.

Every check resolves the path with :func:`os.path.realpath` (strict) and opens the checked real
path with ``O_NOFOLLOW``; after opening, the file the descriptor really names is checked again
(``/proc/self/fd`` on Linux, else its device and inode), so a folder swapped for a link between
the check and the open is caught too. Refusals raise :class:`InputError` subclasses naming the
entry, with a hint.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from .display import safe_text
from .errors import InputError


class OutsideRootError(InputError):
    """A link that leads outside the tree it was found in (the inbox, or a path named on the command line)."""


class LinkLoopError(InputError):
    """A symbolic link loop: a link that leads back to itself or to a folder it is inside."""


class NotRegularFileError(InputError):
    """A FIFO, device, socket or folder where a page file was expected."""


@dataclass(frozen=True)
class Root:
    """A tree that input may be read from.

    ``path`` is its real location (symlinks resolved once, when the command starts); ``label``
    is how messages name it ("the inbox", or the path as named on the command line);
    ``is_inbox`` is true for the inbox.
    """

    path: Path
    label: str
    is_inbox: bool = False

    def contains(self, real: str | os.PathLike) -> bool:
        """True when the real (resolved) path `real` lies in this tree (string comparison: no
        file system access, and fast, as it runs for every entry)."""
        top = os.fspath(self.path)
        s = os.fspath(real)
        return s == top or s.startswith(top if top.endswith(os.sep) else top + os.sep)


def inbox_root(inbox: str | os.PathLike) -> Root:
    """The inbox as a root, resolved once (DIGEST_INBOX may be a link to the real folder)."""
    return Root(Path(os.path.realpath(os.path.abspath(os.fspath(inbox)))), "the inbox", True)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _os_error(path: str | os.PathLike, exc: OSError) -> InputError:
    """An OSError met while resolving or opening `path`, as an InputError naming it."""
    name = os.fspath(path)
    if exc.errno == errno.ELOOP:
        return LinkLoopError(name, "symbolic link loop (the link leads back to itself); not followed",
                             "remove the link or point it at a real file or folder")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(name):
            return InputError(name, "broken symbolic link (its target does not exist)",
                              "remove the link or restore its target")
        return InputError(name, "no such file or folder (or it disappeared before it could be read)",
                          "check the path")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(name, "permission denied", "make it readable by the digest user")
    if exc.errno == errno.ENAMETOOLONG:
        return InputError(name, "file name too long", "rename it (or a folder above it) to a shorter name")
    return InputError(name, f"cannot read: {exc.strerror or exc}",
                      "check that it is readable by the digest user and its disk is healthy")


def realpath(path: str | os.PathLike) -> Path:
    """The real path of `path` (every link resolved). Raises InputError: loop, broken link, missing."""
    return Path(_realpath(path))


def _realpath(path: str | os.PathLike) -> str:
    try:
        return os.path.realpath(os.fspath(path), strict=True)
    except OSError as exc:
        raise _os_error(path, exc) from None
    except RuntimeError:  # defensive: pathlib-style loop reports
        raise LinkLoopError(os.fspath(path), "symbolic link loop; not followed",
                            "remove the link or point it at a real file or folder") from None


def confine(path: str | os.PathLike, root: Root, name: str | os.PathLike | None = None) -> Path:
    """The real path of `path`, checked to lie inside `root`. Raises InputError naming `name`
    (default: `path`): outside the root (OutsideRootError), a link loop (LinkLoopError), a broken
    link, a missing path."""
    name = path if name is None else name
    try:
        real = _realpath(path)
    except InputError as exc:
        if name is path:
            raise
        raise type(exc)(os.fspath(name), exc.reason, exc.hint) from None
    if not root.contains(real):
        raise OutsideRootError(os.fspath(name), f"symbolic link points outside {root.label}: it leads to {real}; "
                               "not followed", "only files inside the inbox, or inside a path named on the "
                               "command line, are read")
    return Path(real)


def named(raw: str | os.PathLike, inbox: str | os.PathLike | None = None) -> tuple[Path, Root, tuple[str, ...] | None]:
    """A path named on the command line: ``(path, root, parts_in_inbox)``.

    ``path`` is the path as named (messages and source keys use it), ``root`` the tree it is
    confined to (module docstring), ``parts_in_inbox`` its place in the inbox as folder names
    from the inbox down to it (``("大众日报", "2025-07-18")``; ``()`` for the inbox itself), or None
    when it is outside the inbox. Raises InputError (missing, broken or looping link, a link that
    leads out of the inbox or out of its own folder).
    """
    path = Path(raw)
    lexical = Path(os.path.abspath(os.fspath(path)))
    try:
        folder = Path(os.path.realpath(lexical.parent, strict=True))  # the folders leading to it: once
    except OSError as exc:
        raise _os_error(path, exc) from None
    full = folder / lexical.name if lexical.name else folder
    if not os.path.lexists(full):
        raise _os_error(path, FileNotFoundError(errno.ENOENT, "missing"))
    if full.is_symlink() and _leads_up(folder, confine(full, Root(Path("/"), "/"), path)):
        raise _loop(path)
    ib = inbox_root(inbox) if inbox is not None else None
    spelled = Root(Path(os.path.abspath(os.fspath(inbox))), "the inbox", True) if inbox is not None else None
    if spelled is not None and spelled.contains(lexical) and lexical != spelled.path:
        # named by its place in the inbox as spelled (inbox/etc/passwd with inbox/etc -> /etc):
        # every link on the way must stay in the inbox, not only the last one
        confine(lexical, ib, path)
        return path, ib, lexical.relative_to(spelled.path).parts
    if ib is not None and ib.contains(full):  # named by its place in the inbox: the inbox rules
        if full != ib.path:
            confine(full, ib, path)
        return path, ib, full.relative_to(ib.path).parts
    real = confine(full, Root(Path("/"), "/"), path)
    if ib is not None and ib.contains(real):  # a link into the inbox (or the inbox, named by a link)
        return path, ib, real.relative_to(ib.path).parts
    if full.is_symlink() and not (real == folder or real.is_relative_to(folder)):
        raise OutsideRootError(os.fspath(path), f"symbolic link named on the command line points outside its "
                               f"folder: it leads to {real}; not followed", f"name the target itself: {real}")
    return path, Root(real, f"the folder named on the command line ({safe_text(path)})"), None


def _leads_up(folder: Path, target: Path) -> bool:
    """True when a link in the real folder `folder` leads to `target`, that folder or one above it."""
    return folder == target or folder.is_relative_to(target)


def _loop(path: str | os.PathLike) -> LinkLoopError:
    return LinkLoopError(os.fspath(path), "symbolic link loop: it leads back to a folder it is in; not followed",
                         "remove the link")


def check_regular(path: str | os.PathLike, st: os.stat_result) -> None:
    """Raise NotRegularFileError naming `path` unless `st` is a regular file's."""
    if not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        raise NotRegularFileError(os.fspath(path), f"not a regular file: it is {kind}" if kind.startswith("a ")
                                  else kind, "only page files (text or PDF) can be read; a FIFO or device "
                                  "would block or never end")


def open_input(path: str | os.PathLike, root: Root | None = None) -> BinaryIO:
    """Open the page file `path` for reading (binary), confined to `root`.

    `root` None: `path` is taken as named on the command line (:func:`named`). Only a regular
    file inside the root is opened; the caller closes the returned file object. Raises
    InputError (or a subclass) naming `path`: outside the root, a link loop, not a regular file
    (a FIFO never blocks: it is refused before it is opened), missing, unreadable.
    """
    if root is None:
        _, root, _ = named(path)
    real = confine(path, root)
    try:
        check_regular(path, os.stat(real))
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError as exc:
        raise _os_error(path, exc) from None
    try:
        st = os.fstat(fd)
        check_regular(path, st)
        opened = _opened_path(fd, real, st)
        if not root.contains(opened):
            raise OutsideRootError(os.fspath(path), f"changed while being opened: now outside {root.label}; not read",
                                   "something is replacing folders with links in the inbox")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _opened_path(fd: int, expected: Path, st: os.stat_result) -> str:
    """The real path of the open file `fd`: /proc/self/fd on Linux; elsewhere `expected` when it
    is still the same file (device and inode), else a path outside every root."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
    try:
        now = os.stat(expected)
    except OSError:
        return "/nonexistent/changed"
    return os.fspath(expected) if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino) else "/nonexistent/changed"


def read_input(path: str | os.PathLike, root: Root | None, max_bytes: int) -> bytes:
    """The bytes of the page file `path` (see :func:`open_input`), at most `max_bytes`.

    Raises InputError naming the file when it is over the limit (hint: DIGEST_MAX_FILE_MB) or
    cannot be read."""
    with open_input(path, root) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise InputError(os.fspath(path), f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit",
                             "raise DIGEST_MAX_FILE_MB if this really is one page")
        try:
            return fh.read(max_bytes + 1)
        except OSError as exc:
            raise _os_error(path, exc) from None


@dataclass(frozen=True)
class Entry:
    """One entry of a folder as :func:`scan` finds it: ``path`` (under the folder as listed),
    ``real`` (resolved), ``st`` (the stat of what it leads to), ``link`` (it is a symbolic link)."""

    path: Path
    real: Path
    st: os.stat_result
    link: bool = False

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.st.st_mode)

    @property
    def key(self) -> tuple[int, int]:
        """(device, inode): the same folder reached by two names has one key."""
        return self.st.st_dev, self.st.st_ino


def scan(folder: Path, root: Root, keep: Callable[[str], bool] = lambda name: True,
         ) -> tuple[list[Entry], list[InputError]]:
    """The entries of `folder` (itself inside `root`) whose name `keep` accepts, in name order,
    each resolved and confined to `root`; and an InputError for each entry refused (a link out of
    the root, a loop, a broken link). Raises InputError when the folder cannot be listed."""
    real = confine(folder, root)
    try:
        with os.scandir(real) as it:
            raw = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise InputError(os.fspath(folder), f"cannot list folder: {exc.strerror or exc}",
                         "make the folder readable and searchable (r-x) by the digest user") from None
    entries: list[Entry] = []
    refused: list[InputError] = []
    for e in raw:
        if not keep(e.name):
            continue
        path = folder / e.name
        link = False
        try:
            link = e.is_symlink()
            if link:
                target = confine(path, root)
                if _leads_up(real, target):
                    raise _loop(path)
                st = os.stat(target)
            else:
                target = real / e.name
                st = e.stat(follow_symlinks=False)
        except InputError as exc:
            refused.append(exc)
            continue
        except OSError as exc:
            refused.append(_os_error(path, exc))
            continue
        entries.append(Entry(path, target, st, link))
    return entries, refused
