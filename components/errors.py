"""The error a user sees for bad input: it names the place and what was expected."""

from __future__ import annotations

import unicodedata

# Past this, a message quotes the start of the text and says it was cut: an
# exception's own text (a numpy header, a member name) can be any length.
MAX_PART_CHARS = 240
# Control, format (bidirectional overrides), line/paragraph separators and lone surrogates.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def printable(text: str, limit: int = MAX_PART_CHARS) -> str:
    """``text`` on one line: characters that would move the cursor, start a new
    line or reorder the text are escaped (``\\n``, ``\\x1b``, ``\\u202e``), and
    it is cut at ``limit`` characters. A crafted member name or an exception's
    text therefore cannot add lines to, or disguise, the message it is in."""
    if text.isprintable() and len(text) <= limit:
        return text
    escaped = "".join(
        char.encode("unicode_escape", "backslashreplace").decode("ascii")
        if unicodedata.category(char) in _UNPRINTABLE
        else char
        for char in text[: limit + 1]
    )
    return escaped if len(escaped) <= limit else escaped[:limit] + "..."


class DataError(ValueError):
    """Input data that does not have the expected format or content.

    ``where`` is the file (and member, line or record) that is wrong. Both
    parts are shown through :func:`printable`, so the message is always one line.
    """

    def __init__(self, where: str, problem: str):
        super().__init__(f"{printable(where)}: {printable(problem)}")
        self.where = where
        self.problem = problem


def reason(exc: BaseException) -> str:
    """An exception's text for a message, with its type when the text alone says nothing."""
    text = str(exc)
    return text if text and text != "None" else type(exc).__name__


class OutputError(OSError):
    """An output that could not be written (a full disk, a read-only folder), naming the file.

    Its own class so the CLI can show it as one line while other OS errors keep
    their traceback; the errno is kept, so callers can still tell ENOSPC apart."""
