"""Pipeline parameters from the command line: ``--set key=value``, checked
against the pipeline's own signature so the CLI never drifts from it."""

from __future__ import annotations

import inspect

from components.names import did_you_mean
from components.studies import ParameterError, RunParams, get_study
from components.studies.base import VARIANT_SETTINGS, coerce


def pipeline_parameters(pipeline) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(pipeline.pipeline_func).parameters)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--set expects key=value, got {pair!r}")
        if key.strip() in values:
            raise ParameterError(f"{key.strip()} is given twice (--set and --param are one option); give it once")
        values[key.strip()] = value
    return values


def fixing_named_settings(overrides: dict) -> dict:
    """``overrides`` with ``fixed_settings`` naming the variant settings among them (unless it is given):
    a setting someone gives by name is meant for every variant, over a variant's own (``for_variant``)."""
    named = [name for name in VARIANT_SETTINGS if name in overrides]
    if not named or "fixed_settings" in overrides:
        return overrides
    return {**overrides, "fixed_settings": ",".join(named)}


def with_preset(study: str, preset: str | None, assignments: dict[str, str]) -> dict[str, str]:
    """``assignments`` over the study's named configuration ``preset`` (none: unchanged)."""
    if not preset:
        return assignments
    presets = get_study(study).params.PRESETS
    if preset not in presets:
        known = ", ".join(presets) or "none"
        raise ParameterError(f"unknown preset {preset!r} for {study}{did_you_mean(preset, presets)}; known: {known}")
    return {**{k: str(v) for k, v in presets[preset].items()}, **assignments}


def resolve(study: str, pipeline, assignments: dict[str, str]) -> dict:
    """Typed arguments for ``pipeline``; unknown names and bad values are errors naming them.
    A deprecated name (``Params.RENAMED``) is taken as its replacement, with a message saying so."""
    assignments = get_study(study).params.current_names(assignments)
    signature = pipeline_parameters(pipeline)
    unknown = sorted(set(assignments) - set(signature))
    if unknown:
        named = ", ".join(name + did_you_mean(name, signature) for name in unknown)
        raise ParameterError(f"unknown parameter(s) {named} for {study}; known: {', '.join(signature)}")
    typed = fixing_named_settings({k: coerce(k, signature[k].annotation, v) for k, v in assignments.items()})
    study_fields = {f.name for f in get_study(study).params.fields()}
    get_study(study).params.from_mapping({k: v for k, v in typed.items() if k in study_fields})
    run_fields = {f.name for f in RunParams.fields()}
    RunParams.from_mapping({k: v for k, v in typed.items() if k in run_fields})
    return typed
