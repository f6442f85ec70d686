"""The error a user sees for bad input: it names the place and what was expected."""


class DataError(ValueError):
    """Input data that does not have the expected format or content.

    ``where`` is the file (and member, line or record) that is wrong.
    """

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
