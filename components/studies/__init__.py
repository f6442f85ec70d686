"""The studies this project runs, by name.

Importing this package is light (no TensorFlow): it is used when compiling
pipelines and by the CLI. Each study's heavy code is imported on demand
through :meth:`Study.recipe`.
"""

from components.studies.amazon import STUDY as _AMAZON
from components.studies.base import ParameterError, Params, RunParams, Study
from components.studies.cifar10 import STUDY as _CIFAR10
from components.studies.digits import STUDY as _DIGITS
from components.studies.imdb import STUDY as _IMDB
from components.studies.mirai import STUDY as _MIRAI

STUDIES: dict[str, Study] = {s.name: s for s in (_IMDB, _CIFAR10, _DIGITS, _AMAZON, _MIRAI)}


class UnknownStudy(KeyError):
    def __str__(self) -> str:
        return f"unknown study {self.args[0]!r}; known studies: {', '.join(sorted(STUDIES))}"


def get_study(name: str) -> Study:
    try:
        return STUDIES[name]
    except KeyError:
        raise UnknownStudy(name) from None


__all__ = ["STUDIES", "ParameterError", "Params", "RunParams", "Study", "UnknownStudy", "get_study"]
