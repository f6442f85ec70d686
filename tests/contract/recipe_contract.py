"""The recipe contract as a check: what a recipe must be to meet components/studies/recipe.py."""

import inspect

from components.studies.recipe import Recipe

HOOKS = sorted(name for name, member in vars(Recipe).items() if inspect.isfunction(member))


def _parameters(function) -> list[tuple]:
    """What a caller relies on: names, kinds and defaults (annotations narrow per study)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def contract_violations(recipe: object) -> list[str]:
    """Each way ``recipe`` breaks the contract, in words; empty when it keeps it."""
    if not isinstance(recipe, Recipe):
        return [f"{type(recipe).__name__} is not a components.studies.recipe.Recipe"]
    cls = type(recipe)
    problems = [
        f"required hook {name} is not implemented"
        for name in sorted(Recipe.__abstractmethods__)
        if getattr(cls, name) is getattr(Recipe, name)
    ]
    for name in HOOKS:
        expected, actual = _parameters(getattr(Recipe, name)), _parameters(getattr(cls, name))
        if actual != expected:
            problems.append(f"{name} takes {[p[0] for p in actual]}, the contract {[p[0] for p in expected]}")
    names = getattr(cls, "CLASS_NAMES", None)
    if not (isinstance(names, tuple) and len(names) >= 2 and all(isinstance(n, str) and n for n in names)):
        problems.append(f"CLASS_NAMES must be a tuple of at least two class names, got {names!r}")
    return problems
