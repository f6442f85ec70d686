"""``kfp-studies sample``: a refused ``--size 0``, and a ``run it with:`` hint sized to the sample."""

import shlex

from pipelines.cli import main


def test_size_zero_is_refused_naming_the_option(tmp_path, capsys):
    assert main(["sample", "imdb", str(tmp_path / "s"), "--size", "0"]) == 2
    assert "--size is the rows per class and split: at least 1; got 0" in capsys.readouterr().err
    assert not (tmp_path / "s").exists(), "nothing written"


def test_the_hint_holds_out_what_a_small_sample_can_give(tmp_path, capsys):
    assert main(["sample", "imdb", str(tmp_path / "s"), "--size", "5"]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert hint.startswith("run it with: kfp-studies run imdb --local --source ")
    # 10 training reviews: imdb's default of 10,000 validation rows becomes a fifth of them.
    assert shlex.split(hint)[-2:] == ["--set", "validation_rows=2"]


def test_a_sample_that_fits_the_defaults_gets_a_plain_hint(tmp_path, capsys):
    assert main(["sample", "amazon", str(tmp_path / "s")]) == 0
    assert "--set" not in capsys.readouterr().out
