"""A variant's own training settings, the parameters that win over them, and named presets."""

import numpy as np
import pytest

from components.steps.cross_validate import FoldScore, comparison_markdown, summarize
from components.studies import ParameterError, get_study
from components.studies.amazon import AmazonParams
from components.studies.cifar10 import Cifar10Params
from components.studies.digits import DigitsParams
from components.studies.mirai import MiraiParams
from pipelines.compile import build_pipeline
from pipelines.parameters import resolve, with_preset
from pipelines.targets import LOCAL


def test_a_variant_trains_with_its_own_settings_and_the_others_with_the_study_parameters():
    p = AmazonParams(variants="bi-gru,wide-bi-gru,deep-bi-gru")
    assert p.settings_used("wide-bi-gru") == {"epochs": 30, "batch_size": 512, "learning_rate": 0.01}
    assert p.settings_used("deep-bi-gru") == {"epochs": 50, "batch_size": 1024, "learning_rate": 0.001}
    assert p.settings_used("bi-gru") == {"epochs": 20, "batch_size": 1024, "learning_rate": 0.001}
    assert p.for_variant("bi-gru") is p


def test_settings_named_in_fixed_settings_win_over_the_variants_own():
    p = AmazonParams.from_mapping({"variants": "wide-bi-gru", "epochs": "3", "fixed_settings": "epochs"})
    assert p.settings_used("wide-bi-gru") == {"epochs": 3, "batch_size": 512, "learning_rate": 0.01}
    mirai = MiraiParams(learning_rate=0.5, variants="2x20-relu+lr0.001")
    assert mirai.for_variant("2x20-relu+lr0.001").learning_rate == 0.001
    fixed = MiraiParams(learning_rate=0.5, variants="2x20-relu+lr0.001", fixed_settings="learning_rate")
    assert fixed.for_variant("2x20-relu+lr0.001").learning_rate == 0.5
    with pytest.raises(ParameterError, match="fixed_settings names dropout"):
        AmazonParams.from_mapping({"fixed_settings": "epochs,dropout"})


def test_a_setting_given_on_the_command_line_is_fixed_for_every_variant():
    pipeline = build_pipeline("amazon", LOCAL)
    assert resolve("amazon", pipeline, {"epochs": "3", "batch_size": "8"})["fixed_settings"] == "epochs,batch_size"
    assert "fixed_settings" not in resolve("amazon", pipeline, {"variants": "wide-bi-gru"})
    kept = resolve("amazon", pipeline, {"epochs": "3", "fixed_settings": ""})
    assert kept["fixed_settings"] == "", "an explicit fixed_settings is the user's to give"


def test_the_seed_schedule_is_a_preset_and_set_values_override_it():
    seed = Cifar10Params.from_mapping(with_preset("cifar10", "seed-sgd", {}))
    assert (seed.variants, seed.epochs, seed.batch_size, seed.base_lr, seed.max_lr, seed.pad_crop) == (
        "sgd",
        300,
        500,
        0.001,
        0.01,
        0,
    )
    assert with_preset("cifar10", "seed-sgd", {"epochs": "6"})["epochs"] == "6"
    assert with_preset("cifar10", None, {"epochs": "6"}) == {"epochs": "6"}
    with pytest.raises(ParameterError, match="unknown preset 'seed-sdg' for cifar10 \\(did you mean 'seed-sgd'"):
        with_preset("cifar10", "seed-sdg", {})


def test_cifar10_defaults_are_the_adam_configuration_that_reached_the_seed():
    p = Cifar10Params()
    assert (p.variants, p.cv_folds, p.epochs, p.batch_size) == ("adam", 0, 45, 128)
    assert (p.base_lr, p.max_lr, p.clr_step_epochs, p.pad_crop, p.validation_rows) == (0.0003, 0.0015, 3, 4, 5000)


def test_every_preset_validates():
    for name in ("amazon", "cifar10", "digits", "imdb", "mirai"):
        params = get_study(name).params
        for preset in params.PRESETS:
            params.from_mapping(with_preset(name, preset, {}))


def test_the_comparison_table_says_what_each_variant_trained_with():
    def score(variant, fold, accuracy, settings):
        return FoldScore(variant, fold, accuracy, 0.3, 100, 50, 1.5, settings)

    wide = {"epochs": 30, "batch_size": 512, "learning_rate": 0.01}
    plain = {"epochs": 20, "batch_size": 1024, "learning_rate": 0.001}
    table = comparison_markdown(
        summarize([score("wide-bi-gru", 0, 0.8, wide), score("wide-bi-gru", 1, 0.9, wide), score("gru", 0, 0.7, plain)])
    )
    assert "| wide-bi-gru | 85.00% (±5.00%) | 80.00%, 90.00% | 30 | 512 | 0.01 | 1.50 |" in table
    assert "| gru | 70.00% (±0.00%) | 70.00% | 20 | 1024 | 0.001 | 1.50 |" in table


def test_a_fit_runs_the_variants_own_epochs():
    from components.studies.digits.recipe import RECIPE
    from components.training import fit_model

    rng = np.random.default_rng(0)
    table = {"xy": rng.normal(size=(12, 4, 2)).astype(np.float32), "label": rng.integers(0, 10, 12).astype(np.int32)}
    own = DigitsParams(epochs=5, batch_size=12, variants="gru64+epochs2")
    _, curves = fit_model(RECIPE, own, "gru64+epochs2", {"points": 4, "reverse_augment": False}, table, None, seed=0)
    assert len(curves["loss"]) == 2, "the variant's 2 epochs, not the study's 5"


def test_the_model_card_records_what_the_variant_trained_with():
    from components.steps.register import model_card

    used = {"epochs": 30, "batch_size": 512, "learning_rate": 0.01}
    evaluation = {"accuracy": 0.8, "blessing": {"blessed": True}, "trained_with": used}
    assert model_card(evaluation, {}, {"epochs": 20}, "image", "run")["trained_with"] == used
