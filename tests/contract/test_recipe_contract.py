"""The recipe contract's check can fail, and the contract is written down where steps and people read it.

The steps call the hooks without asking whether a study has them, so a recipe
that is not a ``Recipe``, misses a required hook or declares a hook with other
parameters must fail the contract test (tests/contract/test_study_contract.py),
naming the study and the hook, rather than in the middle of a pipeline run.
"""

import ast
from pathlib import Path

import pytest
from recipe_contract import HOOKS, contract_violations

from components.studies import Params, Study
from components.studies.recipe import Recipe

ROOT = Path(__file__).resolve().parents[2]


def test_the_check_names_each_broken_hook():
    """The check above must be able to fail: a recipe with a hook missing
    (bypassing the ABC), a reordered signature and no class names."""

    class Broken(Recipe):
        def fit(self, train_rows, prepared, params):  # parameters swapped
            return {}

    Broken.__abstractmethods__ = frozenset()  # instantiate it anyway, to see every problem at once
    problems = contract_violations(Broken())
    assert "required hook read is not implemented" in problems
    assert "fit takes ['self', 'train_rows', 'prepared', 'params'], the contract" in " ".join(problems)
    assert any(p.startswith("CLASS_NAMES must be") for p in problems)
    assert contract_violations(object()) == ["object is not a components.studies.recipe.Recipe"]


def test_a_recipe_module_without_a_recipe_instance_is_refused_by_name():
    study = Study("broken", "Broken", Params, (), recipe_module="components.studies.imdb.text")
    with pytest.raises(TypeError, match=r"components\.studies\.imdb\.text\.RECIPE must be an instance of .*Recipe"):
        study.recipe()


def test_every_hook_says_which_step_calls_it_and_the_docs_list_it():
    table = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in HOOKS:
        assert "Called by:" in (getattr(Recipe, name).__doc__ or ""), f"{name}: no 'Called by:' line"
        assert f"`{name}`" in table, f"docs/architecture.md does not list the hook {name}"


def test_no_step_probes_the_recipe_for_a_hook():
    """Optional hooks have defaults on ``Recipe``; asking ``hasattr(recipe, ...)`` would hide a misspelt hook."""
    probes = []
    for path in [*sorted((ROOT / "components" / "steps").glob("*.py")), ROOT / "components" / "training.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("hasattr", "getattr"):
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id == "recipe":
                    probes.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert probes == []
