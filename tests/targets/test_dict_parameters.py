"""Study parameters ride in one dict per step, which KFP fills in by text substitution.

The compiled ``params`` input of a step is a struct constant whose values are
``{{$.inputs.parameters['pipelinechannel--NAME']}}`` placeholders. The KFP 2.17.0
launcher writes the executor input as JSON and then replaces each placeholder
in that text with the parameter's raw string, unescaped
(backend/src/v2/component/launcher_v2.go, compileCmdAndArgs and getPlaceholders).
A value with a double quote, a backslash or a control character breaks that
JSON, so such values are refused when the parameters are read.
"""

import json

import pytest
import yaml

from components.studies import ParameterError, get_study
from components.studies.base import substitutable
from pipelines.cli import main
from pipelines.compile import compile_study
from pipelines.targets import get_target

REFUSED = ['32-1"', "32-1\\", "32-1\n8-2", "32-1\t"]
ACCEPTED = ["32-1", "32-1, 64-2", "it's fine", "ünïcode-32-1", "{{braces}}"]


@pytest.fixture(scope="module")
def executor_input(tmp_path_factory):
    """The cross-validate step's executor input, as the launcher's JSON text before substitution."""
    path = compile_study("imdb", get_target("kind"), str(tmp_path_factory.mktemp("dict")))
    spec = next(yaml.safe_load_all(open(path)))
    [loop] = [c for c in spec["components"].values() if "cross-validate" in c.get("dag", {}).get("tasks", {})]
    params = loop["dag"]["tasks"]["cross-validate"]["inputs"]["parameters"]["params"]["runtimeValue"]["constant"]
    assert params["variants"] == "{{$.inputs.parameters['pipelinechannel--variants']}}"
    return json.dumps({"inputs": {"parameterValues": {"params": params}}})


def launcher_substitution(text: str, name: str, value: str) -> str:
    """What the launcher does to the JSON text: the placeholder replaced by the raw value."""
    return text.replace(f"{{{{$.inputs.parameters['pipelinechannel--{name}']}}}}", value)


@pytest.mark.parametrize("value", REFUSED)
def test_a_value_that_would_break_the_executor_input_is_refused(executor_input, value):
    with pytest.raises(json.JSONDecodeError):
        json.loads(launcher_substitution(executor_input, "variants", value))
    with pytest.raises(ParameterError, match="parameter 'variants'.*double quotes, backslashes or control"):
        get_study("imdb").params.from_mapping({"variants": value})


@pytest.mark.parametrize("value", ACCEPTED)
def test_an_accepted_value_arrives_intact(executor_input, value):
    received = json.loads(launcher_substitution(executor_input, "variants", value))
    assert received["inputs"]["parameterValues"]["params"]["variants"] == value
    assert substitutable("variants", value) == value  # (whether it names a variant is the study's check)


def test_the_command_refuses_it_before_compiling(capsys, monkeypatch):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)
    argv = ["compile", "imdb", "--target", "kind", "--set", 'variants=32-1"', "-o", "/nonexistent/never-written"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "parameter 'variants'" in err and "'32-1\"'" in err and "Traceback" not in err
