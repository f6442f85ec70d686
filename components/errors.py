"""The error a user sees for bad input: it names the place and what was expected."""


class DataError(ValueError):
    """Input data that does not have the expected format or content.

    ``where`` is the file (and member, line or record) that is wrong.
    """

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class OutputError(OSError):
    """An output that could not be written (a full disk, a read-only folder), naming the file.

    Its own class so the CLI can show it as one line while other OS errors keep
    their traceback; the errno is kept, so callers can still tell ENOSPC apart."""
