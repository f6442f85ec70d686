"""Values refused on their own, before the pipeline starts: the blessing threshold and learning rates."""

import pytest

from components.studies import ParameterError
from pipelines.compile import build_pipeline
from pipelines.parameters import resolve
from pipelines.targets import LOCAL


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_a_threshold_outside_zero_to_one_is_refused(value):
    with pytest.raises(ParameterError, match=rf"threshold is a test accuracy: it must be between 0 and 1; got {value}"):
        resolve("imdb", build_pipeline("imdb", LOCAL), {"threshold": value})
    assert resolve("imdb", build_pipeline("imdb", LOCAL), {"threshold": "1"}) == {"threshold": 1.0}


@pytest.mark.parametrize("study", ["imdb", "amazon", "mirai"])
def test_a_negative_learning_rate_is_refused(study):
    with pytest.raises(ParameterError, match=r"learning_rate must be positive"):
        resolve(study, build_pipeline(study, LOCAL), {"learning_rate": "-0.1"})
