"""Guards for every input and path that comes from data rather than from the user's command line.

A results.json, a journal, a baseline, a versions config or an atlas file may be truncated,
foreign or hostile. What they name is checked before it is used: ids are names (never a path),
a `file` field is read only when it is a case file, every file is read within a size limit and
only when it is a regular file (a FIFO would block, /dev/zero would never end), every path built
from data resolves inside the folder it is meant for, and text bound for a terminal or a report
carries no control character (a title could otherwise set the terminal's title or reverse text).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import BinaryIO

# a case id, or a variant's `case-id[variant]` (oracle.cases _CASE_REF): never a separator, never a leading dot
CASE_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}(\[[a-z0-9][a-z0-9._,-]{0,160}\])?")
# size limits per kind of document: far above any real one, far below a machine's memory
MAX_RESULTS_BYTES = 1 << 30
MAX_BASELINE_BYTES = 64 << 20  # one case's baseline, the environment, one expected/<framework>.yaml
MAX_CONFIG_BYTES = 1 << 20  # a versions config
MAX_ATLAS_BYTES = 64 << 20
MAX_JOURNAL_LINE_BYTES = 256 << 20  # one cell's outcome


class InputError(Exception):
    """A file or field the oracle was given cannot be used; the message is one line naming it."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputError otherwise (one line)."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size  # read() sizes its buffer by the request: ask for what is there
            raw = handle.read(min(size, limit) + 1)  # never more than the limit and the byte that breaks it
            if len(raw) > size:  # the file grew while read: read on, still within the limit
                raw += handle.read(limit + 1 - len(raw)) if len(raw) <= limit else b""
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputError(f"{path}: larger than {limit} bytes; not a file this oracle writes")
    return raw


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading; OSError unless it is a regular file. O_NONBLOCK: opening a FIFO must not wait."""
    if "\x00" in str(path):  # a path from data (a results `file` field): the OS would refuse it with ValueError
        raise OSError(errno.EINVAL, "a path with a NUL character", str(path).replace("\x00", "\\x00"))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file (a folder, FIFO, device or socket)", str(path))
    return os.fdopen(fd, "rb")


def read_text_bounded(path: Path, limit: int) -> str:
    raw = read_bounded(path, limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def is_case_id(text: object) -> bool:
    return isinstance(text, str) and CASE_ID.fullmatch(text) is not None


def inside(folder: Path, name: str) -> Path:
    """`folder/name`, refused unless it resolves inside `folder` (no `..`, no absolute name, no symlink out)."""
    path = folder / name
    root = folder.resolve()
    if Path(name).is_absolute() or ".." in Path(name).parts or not path.resolve().is_relative_to(root):
        raise InputError(f"{name!r} would be written outside {folder}; refused")
    return path


def _unsafe_class(keep: str) -> re.Pattern[str]:
    """Control (C0, DEL, C1), format (bidi overrides, zero-width, tags) and surrogate characters, less `keep`."""
    chars = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) in ("Cc", "Cf") and chr(c) not in keep]
    chars += [chr(c) for c in range(0xE0000, 0xE0080)]  # tag characters: invisible text
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "\ud800-\udfff]")


_UNSAFE = _unsafe_class("\u200d")  # ZWJ stays: emoji sequences
_UNSAFE_LINES = _unsafe_class("\u200d\n\t")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control, format (bidi override) and surrogate character shown as an escape: \\x1b, \\u202e.

    Data (a case title, an error message, a version) reaches terminals and reports; ESC could set the
    terminal's title, U+202E reverse what follows, NUL cut a line."""
    plain = text.replace("\n", "").replace("\t", "") if keep_newlines else text
    if plain.isprintable():  # the usual case (no Cc, Cf, Cs), checked in C: a 12 MB report in milliseconds
        return text
    return (_UNSAFE_LINES if keep_newlines else _UNSAFE).sub(_escaped, text)
