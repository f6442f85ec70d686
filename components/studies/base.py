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
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Self

if TYPE_CHECKING:
    from components.studies.recipe import Recipe

log = logging.getLogger(__name__)

# The steps a study parameter can feed; "run" is the pipeline-wide RunParams.
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
    """Base of every parameter dataclass: coercion from strings, range checks, grouping by step."""

    # Names a study accepted before a rename, each mapped to the name that replaced it; ``from_mapping``
    # keeps accepting the old name, with a deprecation message. (``validation_size`` was a row count in
    # some studies and a fraction in others, so each study says which of the two it became.)
    RENAMED: ClassVar[Mapping[str, str]] = {}
    # Named configurations a user picks with ``--preset NAME`` (``--set`` values override them): the
    # seed's own schedule stays available by name where the defaults are what reproduces its result.
    PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    @classmethod
    def fields(cls) -> tuple[dataclasses.Field, ...]:
        """The fields grouped by step, in the order of ``STEPS`` (declaration order within a step), so a
        study's own fields sit beside the shared ones of the same step in listings and pipeline signatures."""
        return tuple(sorted(dataclasses.fields(cls), key=lambda f: STEPS.index(f.metadata["step"])))

    @classmethod
    def current_names(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with each deprecated name (``RENAMED``) replaced by its current one, saying so once
        as a DeprecationWarning (for code) and once in the log (for people at the command line)."""
        renamed = dict(values)
        for old, new in cls.RENAMED.items():
            if old not in renamed:
                continue
            if new in renamed:
                raise ParameterError(f"parameter {old!r} is the deprecated name of {new!r}; give only {new!r}")
            message = f"parameter {old!r} is deprecated; for this study it is {new!r}: use {new}={renamed[old]}"
            # stacklevel 2: attributed to our caller, never to __main__, so the CLI shows the log line only.
            warnings.warn(message, DeprecationWarning, stacklevel=2)
            log.warning("%s", message)
            renamed[new] = renamed.pop(old)
        return renamed

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Self:
        """Parameters from (possibly stringified) values; unknown names are an error."""
        values = cls.current_names(values or {})
        known = {f.name: f for f in cls.fields()}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; this study accepts: {', '.join(known)}")
        kinds = {f.name: type(f.default) for f in cls.fields()}
        params = cls(**{k: substitutable(k, coerce(k, kinds[k], v)) for k, v in values.items()})
        params.validate()
        return params

    def validate(self) -> None:
        """Range checks; subclasses extend this (calling it first) and raise ParameterError."""

    def for_step(self, step: str) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self.fields() if f.metadata["step"] == step}

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# The training settings a variant may fix for itself; ``fixed_settings`` names a subset of them.
VARIANT_SETTINGS = ("epochs", "batch_size", "learning_rate")


@dataclass(frozen=True)
class VariantSettings:
    """Training settings a variant fixes for itself, as the seed trained that model (e.g. amazon's
    model 10: 30 epochs, batch 512, Adam at 0.01); None leaves the study parameter in charge."""

    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None


@dataclass(frozen=True)
class TrainingParams(Params):
    """The parameters every training study shares, and their checks.

    A study's Params subclasses this and redeclares a shared field only to
    change its default or help, with :func:`shared`; the step a field feeds
    stays the one declared here. ``variants`` has no usable default here: a
    study must name its own (the contract test checks that its defaults
    validate).

    The validation hold-out has one name per unit: ``validation_rows`` (a row
    count) or ``validation_fraction`` (a fraction of the training rows). At
    most one of them is non-zero; both zero holds nothing out.

    A variant may fix its own epochs, batch size and learning rate (the seed
    trained some models differently from the rest): :meth:`for_variant` gives
    the parameters a variant trains with, and ``fixed_settings`` says which
    study parameters win over the variants' own (the CLI fills it with those
    the user sets)."""

    test_fraction: float = param(
        0.0,
        "preprocess",
        "fraction of all rows held out for testing when the source has no train/test split of its own "
        "(0: the source must carry one)",
    )
    validation_rows: int = param(
        0, "preprocess", "training rows held out for validation (0: none, or validation_fraction gives the hold-out)"
    )
    validation_fraction: float = param(
        0.0,
        "preprocess",
        "fraction of the training rows held out for validation (0: none, or validation_rows gives the hold-out)",
    )
    epochs: int = param(1, "train", "training epochs")
    batch_size: int = param(32, "train", "minibatch size")
    fit_on_validation: bool = param(False, "train", "also fit the final model on the validation rows")
    fixed_settings: str = param(
        "",
        "train",
        "comma-separated training settings (epochs, batch_size, learning_rate) that every variant trains with, "
        "even one that fixes its own; kfp-studies adds each of them you --set",
    )
    cv_folds: int = param(3, "cross_validate", "folds of the cross-validation (0: skip it, with a single variant)")
    variants: str = param("", "cross_validate", "comma-separated model variants compared by CV, the best then trained")

    def validate(self) -> None:
        """The shared checks, then each variant name through the study's ``check_variant``."""
        super().validate()
        if self.epochs < 1 or self.batch_size < 1:
            raise ParameterError(
                f"epochs and batch_size must be positive; got epochs={self.epochs}, batch_size={self.batch_size}"
            )
        self._check_hold_outs()
        folds = self.cv_folds
        if folds != 0 and folds < 2:
            raise ParameterError(f"cv_folds must be at least 2, or 0 to skip cross-validation; got {folds}")
        variants = self.variant_names()
        if not variants:
            raise ParameterError("variants is empty: give a comma-separated list of variant names")
        if folds == 0 and len(variants) != 1:
            raise ParameterError(
                f"cv_folds=0 skips cross-validation, so it needs exactly one variant; got variants={self.variants!r}"
            )
        for name in variants:
            self.check_variant(name)
        unknown = sorted(set(self.fixed_names()) - set(VARIANT_SETTINGS))
        if unknown:
            raise ParameterError(
                f"fixed_settings names {', '.join(unknown)}; a variant's own settings are {', '.join(VARIANT_SETTINGS)}"
            )

    def _check_hold_outs(self) -> None:
        if not 0.0 <= self.test_fraction < 1.0:
            raise ParameterError(f"test_fraction must be at least 0 and below 1; got {self.test_fraction}")
        if self.validation_rows < 0:
            raise ParameterError(f"validation_rows must not be negative; got {self.validation_rows}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ParameterError(
                "validation_fraction is a fraction of the training rows: at least 0 and below 1; "
                f"got {self.validation_fraction}"
            )
        if self.validation_rows and self.validation_fraction:
            raise ParameterError(
                f"validation_rows={self.validation_rows} and validation_fraction={self.validation_fraction} "
                "both hold rows out for validation; set the one you do not mean to 0"
            )

    def variant_names(self) -> list[str]:
        """The comma-separated ``variants`` parameter as a list."""
        return [v.strip() for v in self.variants.split(",") if v.strip()]

    def check_variant(self, name: str) -> None:
        """Raise ParameterError when the study has no model called ``name``."""

    def variant_settings(self, name: str) -> VariantSettings:
        """The training settings the variant ``name`` fixes for itself (the seed's, or its name's
        options); a study whose variants fix none keeps this default."""
        return VariantSettings()

    def fixed_names(self) -> list[str]:
        """The comma-separated ``fixed_settings`` parameter as a list."""
        return [v.strip() for v in self.fixed_settings.split(",") if v.strip()]

    def for_variant(self, name: str) -> Self:
        """These parameters as the variant ``name`` trains with them.

        Precedence, highest first: a setting named in ``fixed_settings`` (the CLI names every
        one the user sets), then the variant's own (:meth:`variant_settings`), then the study
        parameter. A study without a ``learning_rate`` parameter keeps a variant's rate in the
        variant (its model builder reads it there)."""
        own = dataclasses.asdict(self.variant_settings(name))
        fixed = set(self.fixed_names())
        changes = {
            key: value for key, value in own.items() if value is not None and key not in fixed and hasattr(self, key)
        }
        return dataclasses.replace(self, **changes) if changes else self

    def settings_used(self, name: str) -> dict[str, Any]:
        """What the variant ``name`` trains with, for the records: epochs, batch size and learning
        rate (the variant's own rate where the study has no ``learning_rate`` parameter; None where
        neither names one)."""
        resolved = self.for_variant(name)
        rate = getattr(resolved, "learning_rate", None)
        if rate is None:
            rate = self.variant_settings(name).learning_rate
        return {"epochs": resolved.epochs, "batch_size": resolved.batch_size, "learning_rate": rate}


def shared(name: str, default: Any, help: str | None = None) -> Any:
    """A study's redeclaration of the shared field ``name`` of :class:`TrainingParams`: a new default
    (and, optionally, help); the step stays the shared one."""
    base = {f.name: f for f in dataclasses.fields(TrainingParams)}
    if name not in base:
        raise ValueError(f"{name!r} is not a shared training parameter; expected one of {', '.join(base)}")
    return param(default, base[name].metadata["step"], help or base[name].metadata["help"])


@dataclass(frozen=True)
class RunParams(Params):
    """Parameters every study pipeline has, beside its own."""

    seed: int = param(42, "run", "seed of every split, shuffle and weight initialisation")
    threshold: float = param(0.5, "run", "minimum test accuracy for the model to be blessed")
    min_improvement: float = param(0.0, "run", "how much a new model must beat the registry's champion by")
    force_register: bool = param(False, "run", "register even when not blessed (recorded as forced)")
    on_anomaly: str = param(
        "warn", "run", "data not matching the champion's schema: warn (report and card) or stop before training"
    )
    on_drift: str = param("warn", "run", "features drifted from the champion's data: warn or stop before training")
    drift_threshold: float = param(
        0.1, "run", "Jensen-Shannon distance (0-1) from the champion's data above which a feature has drifted"
    )
    label_drift_threshold: float = param(
        0.1, "run", "Jensen-Shannon distance (0-1) of the label distribution above which the labels have drifted"
    )

    def validate(self) -> None:
        """A threshold outside [0, 1] could never (or would always) be met by an accuracy
        (or exceeded by a Jensen-Shannon distance)."""
        super().validate()
        if not 0.0 <= self.threshold <= 1.0:
            raise ParameterError(f"threshold is a test accuracy: it must be between 0 and 1; got {self.threshold}")
        for name in ("on_anomaly", "on_drift"):
            if getattr(self, name) not in ("warn", "stop"):
                raise ParameterError(f"{name} must be warn or stop; got {getattr(self, name)!r}")
        for name in ("drift_threshold", "label_drift_threshold"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ParameterError(
                    f"{name} is a Jensen-Shannon distance: it must be between 0 and 1; got {getattr(self, name)}"
                )


@dataclass(frozen=True)
class Study:
    """A study's identity and where its heavy code lives.

    The recipe and sample modules default to ``recipe`` and ``sample`` in the
    study's own folder (``components/studies/<name>/``), where discovery
    finds it; a study names them only to put them elsewhere."""

    name: str
    title: str
    params: type[TrainingParams]
    source_formats: tuple[str, ...]
    recipe_module: str = ""
    sample_module: str = ""

    def __post_init__(self) -> None:
        package = f"{__package__}.{self.name}"
        object.__setattr__(self, "recipe_module", self.recipe_module or f"{package}.recipe")
        object.__setattr__(self, "sample_module", self.sample_module or f"{package}.sample")

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
