"""Writing the output: to standard output, or to a file that a failed write never destroys.

A file is written beside its target under a temporary name and renamed into place (what SQLite
and careful editors do), so a full disk or a size limit leaves the old file as it was. A target
is compared with the run's inputs by identity (device and inode, after following links), not by
path, so a hard link, a symbolic link or standard input's file cannot name an input.

Nothing here imports more than `os`, `signal`, `stat` and `sys`, all loaded at start-up anyway:
the machine formats to standard output stay a plain `sys.stdout.write`.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

from coopstats.errors import UsageError

# What an input of the run is given as: a path (as typed, or from a config file), "-" for
# standard input, or an open file descriptor.
InputRef = str | os.PathLike[str] | int
STDIN = "-"


def identity(ref: InputRef) -> tuple[int, int] | None:
    """The (device, inode) of a file, after following links; None when there is none to see."""
    try:
        if isinstance(ref, int):
            st = os.fstat(ref)
        elif os.fspath(ref) == STDIN:
            st = os.fstat(0)
            if not stat.S_ISREG(st.st_mode):
                return None  # a pipe or a terminal: nothing a file could overwrite
        else:
            st = os.stat(ref)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check_target(option: str, target: Path, inputs: Iterable[tuple[str, InputRef]]) -> None:
    """Refuse a target that is an input of the run, or that cannot be written; said before the
    run reads anything, so that nothing is half-done when it is refused.

    `inputs` are (what the message calls it, the input) pairs, e.g. ("the log", "log.csv").
    """
    shown = f"{option} {target}"
    try:
        st = os.stat(target)  # through links
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{shown}: is a folder; name a file")
    if st is None or stat.S_ISREG(st.st_mode):  # a file to write beside, in its own folder
        folder = Path(os.path.realpath(target)).parent
        if not folder.is_dir():
            raise UsageError(f"{shown}: no folder {target.parent} to write it in")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"{shown}: the folder {folder} is not writable")
    if st is None:
        return  # a file yet to be written is nobody's input
    own = st.st_dev, st.st_ino
    for what, ref in inputs:
        if identity(ref) == own:
            given = _named(ref)
            named = given in (os.fspath(target), "standard input")
            other = "" if named else f" ({given}, by another name)"
            raise UsageError(
                f"{shown}: that is {what}{other}; coopstats never writes over its inputs, "
                "choose another file"
            )


def check_stdout_target(inputs: Iterable[tuple[str, InputRef]]) -> None:
    """Refuse a standard output that is a file the run reads (`summarize log.csv >> log.csv`):
    the figures would be written into the log itself."""
    try:
        st = os.fstat(1)
    except OSError:
        return  # closed: check_stdout says so
    if not stat.S_ISREG(st.st_mode):
        return  # a terminal or a pipe: nothing to overwrite
    own = st.st_dev, st.st_ino
    for what, ref in inputs:
        if ref != STDIN and identity(ref) == own:
            raise UsageError(
                f"standard output is {what} ({_named(ref)}); coopstats never writes over its "
                "inputs: redirect the output to another file, or use -o FILE"
            )


def _named(ref: InputRef) -> str:
    if isinstance(ref, int):
        return "standard input" if ref == 0 else f"file descriptor {ref}"
    return "standard input" if os.fspath(ref) == STDIN else os.fspath(ref)


def same_file(a: Path, b: Path) -> bool:
    """Whether two targets are one file (by path once links are followed, or by identity)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    first = identity(a)
    return first is not None and first == identity(b)


def write_atomic(option: str, target: Path, data: str | bytes) -> None:
    """Write `data` (text is UTF-8) to `target` so that it is either the whole new file or the
    old one: written beside it and renamed into place, the temporary file removed on any
    failure. A device or a pipe (`/dev/null`, a FIFO) has nothing to replace: written directly.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        old = os.stat(target)  # through links: /dev/stdout is standard output's pipe or file
    except OSError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        _write_device(option, target, payload)
        return
    real = Path(os.path.realpath(target))  # a link stays a link; the file it names is replaced
    # Under a file-size limit the kernel would kill the process at the limit (SIGXFSZ) and leave
    # the temporary file behind; ignored, the write fails with EFBIG and is cleaned up below.
    size_limit = getattr(signal, "SIGXFSZ", None)  # not on every system
    previous = signal.signal(size_limit, signal.SIG_IGN) if size_limit is not None else None
    # Hidden, beside the target (a rename never crosses file systems), and never an existing
    # file's name (O_EXCL); the name is cut so that a long one still fits NAME_MAX.
    temporary = real.with_name(f".{real.name[:200]}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        try:
            mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except OSError as err:
            raise UsageError(f"{option} {target}: cannot write it ({_reason(err)})") from None
        try:
            with open(fd, "wb") as out:
                if old is not None:
                    os.fchmod(fd, mode)  # the old file's permissions, whatever the umask
                out.write(payload)
                out.flush()
                os.fsync(fd)
            os.replace(temporary, real)
        except BaseException as err:  # noqa: BLE001 - Ctrl-C included: never leave the spare
            temporary.unlink(missing_ok=True)
            if isinstance(err, OSError):
                kept = f"; {target} is as it was" if old is not None else ""
                raise UsageError(
                    f"{option} {target}: cannot write it ({_reason(err)}){kept}"
                ) from None
            raise
    finally:
        if size_limit is not None:
            signal.signal(size_limit, previous)


def _write_device(option: str, target: Path, payload: bytes) -> None:
    try:
        with open(target, "wb") as out:
            out.write(payload)
    except OSError as err:
        raise UsageError(f"{option} {target}: cannot write it ({_reason(err)})") from None


def check_stdout() -> None:
    """Standard output closed (`>&-`) is said before the run, not found after it."""
    if sys.stdout is None:
        raise UsageError(_CLOSED)


_CLOSED = "standard output is closed: nothing can be printed; write a file with -o FILE instead"


def write_stdout(text: str) -> None:
    """Print `text` and flush it; a write that fails is the tool's error (exit 2), except a
    reader that went away (`| head`), which the caller treats as the end of the run."""
    out = sys.stdout
    if out is None:
        raise UsageError(_CLOSED)
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None  # not a real file (a test's capture)
    try:
        if fd is None:
            out.write(text)
            out.flush()
        else:
            # Written with os.write until every byte is out: a short write (a file-size limit
            # reached half-way) is then an error, not a half-written output and exit 0.
            out.flush()
            view = memoryview(text.encode(out.encoding or "utf-8"))
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.EIO, "nothing could be written")
                view = view[written:]
    except BrokenPipeError:
        raise
    except UnicodeEncodeError as err:
        _drop_stdout()
        raise UsageError(
            f"standard output's encoding ({err.encoding}) cannot write {err.object[err.start]!r}; "
            "set PYTHONIOENCODING=utf-8, or write a file with -o FILE"
        ) from None
    except (OSError, ValueError) as err:  # ValueError: a file closed under us
        _drop_stdout()
        reason = _reason(err) if isinstance(err, OSError) else str(err)
        raise UsageError(f"cannot write to standard output ({reason})") from None


def _drop_stdout() -> None:
    """Point standard output at the null device, so that Python's own flush at exit does not
    fail a second time on what is left in the buffer (and add its own message)."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will be flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__
