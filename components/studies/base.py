"""What a study is: its parameters (light, importable at compile time) and a
recipe module (heavy, imported only inside a running step).

A study's parameters are a frozen dataclass whose fields carry the seed's
defaults. Every field names the pipeline step that consumes it, so the CLI
can list them, ``--set`` can validate them, and a component receives only its
own step's values (which keeps KFP's cache keys narrow).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.studies.recipe import Recipe

STEPS = ("run", "preprocess", "train", "cross_validate", "evaluate")


def param(default: Any, step: str, help: str) -> Any:
    """A study parameter: its seed default, the step that uses it, and what it means."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; expected one of {STEPS}")
    return field(default=default, metadata={"step": step, "help": help})


class ParameterError(ValueError):
    """A parameter name or value that the study does not accept."""


def coerce(name: str, kind: type, value: Any) -> Any:
    # KFP hands dict-typed inputs over with every value as a string ("7.0" for 7),
    # and the CLI's --set gives strings too, so both go through here.
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes", "on"):
                return True
            if text in ("false", "0", "no", "off"):
                return False
            raise ValueError
        if kind is int:
            number = float(value)
            if not number.is_integer():
                raise ValueError
            return int(number)
        if kind is float:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {name!r} expects {kind.__name__}, got {value!r}") from None


def substitutable(name: str, value: Any) -> Any:
    """``value``, unless it is text that KFP's launcher cannot carry inside a dict parameter.

    Study parameters reach a step as one dict, whose values the KFP 2.17.0 launcher puts
    into the executor input's JSON by plain text substitution, unescaped
    (backend/src/v2/component/launcher_v2.go, compileCmdAndArgs): a double quote, a
    backslash or a control character would break that JSON, and the step with it."""
    if isinstance(value, str):
        bad = sorted({c for c in value if c in '"\\' or ord(c) < 0x20})
        if bad:
            raise ParameterError(
                f"parameter {name!r}: {value!r} contains {', '.join(repr(c) for c in bad)}; study parameters "
                "cannot hold double quotes, backslashes or control characters (KFP passes them unescaped)"
            )
    return value


@dataclass(frozen=True)
class Params:
    """Base of every study's parameter dataclass."""

    @classmethod
    def fields(cls) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(cls)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Params:
        """Parameters from (possibly stringified) values; unknown names are an error."""
        values = dict(values or {})
        known = {f.name: f for f in cls.fields()}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; this study accepts: {', '.join(known)}")
        kinds = {f.name: type(f.default) for f in cls.fields()}
        params = cls(**{k: substitutable(k, coerce(k, kinds[k], v)) for k, v in values.items()})
        params.validate()
        return params

    def validate(self) -> None:
        """Range checks; studies extend this (calling it first) and raise ParameterError.

        Here are the checks of the fields every training study has."""
        if getattr(self, "epochs", 1) < 1 or getattr(self, "batch_size", 1) < 1:
            raise ParameterError("epochs and batch_size must be positive")
        folds = getattr(self, "cv_folds", None)
        if folds is not None and folds != 0 and folds < 2:
            raise ParameterError("cv_folds must be at least 2, or 0 to skip cross-validation")
        variants = self.variant_names()
        if hasattr(self, "variants") and not variants:
            raise ParameterError("variants is empty: give a comma-separated list of variant names")
        if folds == 0 and len(variants) != 1:
            raise ParameterError(
                f"cv_folds=0 skips cross-validation, so it needs exactly one variant; got variants={self.variants!r}"
            )
        for name in variants:
            self.check_variant(name)

    def variant_names(self) -> list[str]:
        """The comma-separated ``variants`` parameter as a list (empty for a study without one)."""
        return [v.strip() for v in getattr(self, "variants", "").split(",") if v.strip()]

    def check_variant(self, name: str) -> None:
        """Raise ParameterError when the study has no model called ``name``."""

    def for_step(self, step: str) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self.fields() if f.metadata["step"] == step}

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RunParams(Params):
    """Parameters every study pipeline has, beside its own."""

    seed: int = param(42, "run", "seed of every split, shuffle and weight initialisation")
    threshold: float = param(0.5, "run", "minimum test accuracy for the model to be blessed")
    min_improvement: float = param(0.0, "run", "how much a new model must beat the registry's champion by")
    force_register: bool = param(False, "run", "register even when not blessed (recorded as forced)")


@dataclass(frozen=True)
class Study:
    """A study's identity and where its heavy code lives."""

    name: str
    title: str
    params: type[Params]
    recipe_module: str
    sample_module: str
    source_formats: tuple[str, ...]

    def recipe(self) -> Recipe:
        """The study's hooks: ``RECIPE`` of its recipe module, imported only now (it is heavy)."""
        from components.studies.recipe import Recipe

        recipe = getattr(importlib.import_module(self.recipe_module), "RECIPE", None)
        if not isinstance(recipe, Recipe):
            raise TypeError(
                f"{self.recipe_module}.RECIPE must be an instance of components.studies.recipe.Recipe, "
                f"got {type(recipe).__name__}"
            )
        return recipe

    def sampler(self) -> ModuleType:
        return importlib.import_module(self.sample_module)
