"""The outbox: files written atomically (temp file, fsync, rename), never overwritten silently.

A name that already holds the same bytes is reused; a name holding other bytes is left alone
and STEM-2, STEM-3… is used instead. Errors become DeliveryError naming the path, with a hint,
and leave no half-written file behind.
"""
from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

from .errors import DeliveryError
from .faults import checkpoint

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once at import: os.umask can only be read by setting it


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outbox files are as readable as open() makes them
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _publish(tmp: Path, final: Path) -> bool:
    """Move tmp to final unless final exists (no silent overwrite). False if it exists."""
    try:
        os.link(tmp, final)  # atomic, fails if the name is taken
    except FileExistsError:
        return False
    except OSError as exc:  # filesystems without hard links
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if final.exists():
            return False
        os.replace(tmp, final)
        return True
    tmp.unlink()
    return True


def _fsync_dir(folder: Path) -> None:
    try:  # make the new names durable; not possible everywhere, the files themselves are fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _outbox_error(path: Path, exc: OSError) -> DeliveryError:
    reason = exc.strerror or exc.__class__.__name__
    hint = {errno.ENOSPC: "the disk is full; free some space and build again",
            errno.EDQUOT: "the disk quota is exceeded; free some space and build again",
            errno.EACCES: "the outbox folder is not writable; check DIGEST_OUTBOX and its permissions",
            errno.EROFS: "the outbox is on a read-only filesystem; set DIGEST_OUTBOX"}.get(
        exc.errno or 0, "check DIGEST_OUTBOX")
    return DeliveryError(f"cannot write {path}: {reason}", hint)



NAME_ROOM = 32  # bytes kept free in a name: "-NNN" for a twin, ".html", and the temp name ".NAME.XXXXXXXX.tmp"


def name_limit(folder: Path) -> int:
    """The longest stem (in bytes) that can be written to `folder`: the file system's NAME_MAX
    (os.pathconf, 255 on Linux and macOS, less on some encrypted file systems) less NAME_ROOM."""
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        limit = os.pathconf(probe, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    return max(64, min(limit or 255, 255) - NAME_ROOM)


def fit_name(text: str, max_bytes: int, tail: str = "") -> str:
    """`text` + `tail` in at most `max_bytes` of UTF-8. When too long, `text` is cut at a character
    boundary and marked ``~`` + the first 8 hex digits of its SHA-256, so two long names that
    share a beginning still give two names; `tail` (the dates of a digest) is always kept."""
    full = text + tail
    if len(full.encode("utf-8", "surrogateescape")) <= max_bytes:
        return full
    tag = "~" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    room = max(0, max_bytes - len((tag + tail).encode("utf-8", "surrogateescape")))
    return text.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore") + tag + tail


def write_set(outbox: Path, stem: str, contents: dict[str, bytes]) -> dict[str, Path]:
    """Write STEM.<ext> for each (ext, bytes) of `contents`, in that order; returns {ext: path}.

    A name already holding the same bytes is reused; a name holding other bytes is never
    overwritten: STEM-2, STEM-3… is used instead. A stem too long for the file system is cut
    (fit_name). Errors become DeliveryError naming the path.
    """
    outbox = Path(outbox)
    stem = "".join(ch for ch in stem if ch.isprintable()).replace("/", "_").replace(os.sep, "_").lstrip(".") or "digest"
    stem = fit_name(stem, name_limit(outbox))  # never "File name too long", whatever the caller passed
    try:
        outbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _outbox_error(outbox, exc) from None
    for n in range(1, 1000):
        name = stem if n == 1 else f"{stem}-{n}"
        paths = {ext: outbox / f"{name}.{ext}" for ext in contents}
        if any(p.exists() and not _same(p, contents[ext]) for ext, p in paths.items()):
            continue
        created: list[Path] = []
        current = outbox
        try:
            for ext, path in paths.items():
                current = path
                if path.exists():
                    continue
                tmp = _write_temp(outbox, path.name, contents[ext])
                try:
                    won = _publish(tmp, path)
                finally:
                    tmp.unlink(missing_ok=True)
                if won:
                    created.append(path)
                    checkpoint("outbox:mid-write")
                elif not _same(path, contents[ext]):
                    raise FileExistsError(path)  # lost a race: try the next name
            _fsync_dir(outbox)
            return paths
        except FileExistsError:
            # lost a race to another writer: the files we published hold correct bytes that the other
            # writer may already rely on (it reuses identical files), so they are never deleted here
            continue
        except OSError as exc:
            for p in created:
                p.unlink(missing_ok=True)
            raise _outbox_error(current, exc) from None
    raise DeliveryError(f"{outbox}: no free name for {stem}", "clean up the outbox folder")
