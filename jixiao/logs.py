"""Where messages go: one line each on stderr for a person (or cron's mail), full tracebacks in
a log file for whoever fixes the bug. Worker processes write to the same file.

The file is $JIXIAO_LOG, else $XDG_STATE_HOME/jixiao/jixiao.log (~/.local/state/...), else one
in the temporary folder when that cannot be written."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

# Libraries that log at INFO about their own workings; a clerk sees them only from warnings up.
# (RapidOCR's logger is quieted to errors by extract/ocr.py itself: its warnings are noise.)
CHATTY = ("alembic", "distributed", "jieba")


def log_path() -> Path:
    given = os.environ.get("JIXIAO_LOG")
    if given:
        return Path(given)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(state) / "jixiao"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder / "jixiao.log"
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / "jixiao.log"


class OneLine(logging.Formatter):
    """The message alone; an exception as its type and first line, with where the traceback
    went, never the traceback itself."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            first = (str(exc).splitlines() or [""])[0]
            message += f": {type(exc).__name__}: {first} (traceback in {log_path()})"
        return message


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """To whatever sys.stderr is when a record is logged (tests capture it per call)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class _File(logging.FileHandler):
    """Opened on the first record: a run without errors never creates the file."""

    def __init__(self) -> None:
        super().__init__(log_path(), delay=True, encoding="utf-8", errors="backslashreplace")


def log_to_stderr(level: int) -> None:
    """Messages at `level` and above to stderr, one line each; warnings and errors with their
    tracebacks to the log file. Called again, it replaces its handlers."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Stderr | _File)]:
        root.removeHandler(handler)
    console = _Stderr()
    console.setLevel(level)
    console.setFormatter(OneLine())
    root.addHandler(console)
    _add_file(root)
    root.setLevel(min(level, logging.WARNING))
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))


def log_to_file() -> None:
    """In a worker process: warnings and errors to the log file only (the main process tells
    the person what failed, from the failed Filing)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    _add_file(root)
    root.setLevel(logging.WARNING)


def _add_file(root: logging.Logger) -> None:
    file = _File()
    file.setLevel(logging.WARNING)
    file.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    )
    root.addHandler(file)
