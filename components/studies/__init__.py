"""The studies this project runs, by name, found by looking in this package.

A study is a subpackage of ``components.studies`` whose ``__init__`` exposes
``STUDY`` (a :class:`Study`); adding a study is adding its folder, nothing
is registered by hand. Modules beside them (``base``) are not studies, nor
is a subpackage whose name starts with ``_``.

Importing this package is light (no TensorFlow): it is used when compiling
pipelines and by the CLI. Each study's heavy code is imported on demand
through :meth:`Study.recipe`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from components.studies.base import ParameterError, Params, RunParams, Study, TrainingParams


def discover(path: Iterable[str] = __path__, package: str = __name__) -> dict[str, Study]:
    """Every study subpackage's ``STUDY`` (in the package ``package`` at ``path``), by name, sorted. A
    study folder without a valid ``STUDY`` is an error naming it: a half-added study fails loudly."""
    found: dict[str, Study] = {}
    for module in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if not module.ispkg or module.name.startswith("_"):
            continue
        package_module = importlib.import_module(f"{package}.{module.name}")
        study = getattr(package_module, "STUDY", None)
        if not isinstance(study, Study):
            raise TypeError(f"{package_module.__name__} is a study folder but has no STUDY = Study(...)")
        if study.name != module.name:
            raise TypeError(f"{package_module.__name__}.STUDY is named {study.name!r}; name it after its folder")
        found[study.name] = study
    return found


STUDIES: dict[str, Study] = discover()


class UnknownStudy(KeyError):
    def __str__(self) -> str:
        from components.names import did_you_mean

        name = self.args[0]
        return f"unknown study {name!r}{did_you_mean(name, STUDIES)}; known studies: {', '.join(sorted(STUDIES))}"


def get_study(name: str) -> Study:
    try:
        return STUDIES[name]
    except KeyError:
        raise UnknownStudy(name) from None


__all__ = [
    "STUDIES",
    "ParameterError",
    "Params",
    "RunParams",
    "Study",
    "TrainingParams",
    "UnknownStudy",
    "discover",
    "get_study",
]
