"""The benchmark report (``make bench``) renders what its JSON holds.

Nothing is timed here: the results are fabricated, and only the rendering
and the target checks are exercised."""

import json
import re
from pathlib import Path

import pytest

from bench import report, targets
from bench.pipeline_overhead import PHASES, union_seconds
from bench.stats import paired_ratios, spread


def _training(study, ours_rate, seed_rate, ours_rss, seed_rss, flops=None):
    return {
        "study": study,
        "variant": "v",
        "data": "synthetic sample (size 3)",
        "epochs": 3,
        "timed_epochs": 2,
        "samples_per_epoch": 1200,
        "parameters": 10,
        "training_flops_per_sample": flops,
        "samples_per_second": {"ours": spread(ours_rate), "seed": spread(seed_rate)},
        "peak_rss_mb": {"ours": spread(ours_rss), "seed": spread(seed_rss)},
        "throughput_ratio": paired_ratios(ours_rate, seed_rate),
        "rss_ratio": paired_ratios(ours_rss, seed_rss),
        "runs": {"ours": [], "seed": []},
    }


@pytest.fixture
def results():
    phases = dict(zip(PHASES, (0.1, 0.5, 1.5, 0.2, 30.0, 0.01, 4.0), strict=False))
    run = {
        "wall_seconds": 40.0,
        "in_process_seconds": 30.0,
        "ratio": 40 / 30,
        "in_process_union_seconds": 25.0,
        "ratio_to_union": 1.6,
        "steps": 9,
        "phases": phases,
        "orchestration_seconds": 2.0,
        "child_import_seconds": 1.0,
        "table_io_seconds": 0.3,
        "tensorflow_steps": [],
        "forked_steps": 9,
        "per_step": [],
    }
    results = {
        "command": ".venv/bin/python -m bench",
        "plan": "full",
        "repeats": 3,
        "started": "2026-01-01 10:00",
        "run_seconds": 600.0,
        "load_start": [1.0, 1.0, 1.0],
        "load_end": [2.0, 2.0, 2.0],
        "machine": {
            "cpu": "Test CPU",
            "nproc": 2,
            "memory_gib": 8.0,
            "kernel": "6",
            "python": "3.11",
            "tensorflow": "2.21",
            "keras": "3",
            "kfp": "2.16",
            "numpy": "2",
            "pandas": "2",
            "git_commit": "abc",
            "git_dirty": False,
        },
        "tensorflow_runtime_rss_mb": 600.0,
        "matmul": {"size": 2048, "numpy_gflops": 100.0, "tensorflow_gflops": 120.0, "threads": 2},
        "training": [
            _training("imdb", [3000.0, 3300.0, 3600.0], [1000.0, 1100.0, 1500.0], [700.0] * 3, [2800.0] * 3),
            _training("cifar10", [250.0, 260.0, 270.0], [240.0, 280.0, 250.0], [900.0] * 3, [950.0] * 3, flops=1.6e8),
        ],
        "ingest": {
            "rows": 764137,
            "gzip_bytes": 700 * 2**20,
            "training_input": "x",
            "runs": {
                name: {"seconds": spread(s), "peak_rss_mb": spread(r)}
                for name, s, r in (
                    ("ours", [30.0, 31.0, 33.0], [900.0] * 3),
                    ("pandas", [40.0, 41.0, 45.0], [1500.0] * 3),
                    ("gzip", [8.0, 8.5, 9.0], [2.0] * 3),
                )
            },
            "in_process_seconds": {"ingest": spread([25.0] * 3), "preprocess": spread([3.0] * 3)},
            "ours_over_gzip": paired_ratios([30.0, 31.0, 33.0], [8.0, 8.5, 9.0]),
            "ours_over_pandas": paired_ratios([30.0, 31.0, 33.0], [40.0, 41.0, 45.0]),
        },
        "amazon_scale": {
            "records": 4_000_000,
            "source_bytes": 230 * 2**20,
            "rows": {"train": 3_240_000, "validation": 360_000, "test": 400_000},
            "steps": {
                "ingest": {"seconds": spread([60.0, 62.0, 70.0]), "peak_rss_mb": spread([300.0] * 3)},
                "preprocess": {"seconds": spread([400.0]), "peak_rss_mb": spread([900.0])},
                "cross_validate": {"seconds": spread([300.0]), "peak_rss_mb": spread([1500.0]), "rows": 2_160_000},
                "train": {"seconds": spread([30.0]), "peak_rss_mb": spread([1200.0]), "rows": 3_240_000},
                "evaluate": {"seconds": spread([20.0]), "peak_rss_mb": spread([2100.0]), "rows": 400_000},
            },
            "bzip2_seconds": spread([50.0, 50.0, 50.0]),
            "ingest_over_bzip2": paired_ratios([60.0, 62.0, 70.0], [50.0, 50.0, 50.0]),
            "preprocess_records_per_second": 10_000.0,
            "batches": 20,
        },
        "pipeline": {
            "study": "imdb",
            "sample_per_class": 300,
            "overrides": {"cv_folds": 2},
            "ratio": spread([4 / 3] * 3),
            "ratio_to_union": spread([1.6] * 3),
            "wall_seconds": spread([40.0] * 3),
            "in_process_seconds": spread([30.0] * 3),
            "python_start_seconds": spread([0.02] * 3),
            "import_tensorflow_seconds": spread([3.0] * 3),
            "runs": [run, run, run],
            "demo": {
                "sample_per_class": 500,
                "overrides": {"cv_folds": 2},
                "wall_seconds": spread([31.0, 28.0, 29.0]),
                "runs": [
                    {
                        **run,
                        "wall_seconds": wall,
                        "per_step": [{"task": "train", **phases, "table_io": 0.0, "forked": True}],
                    }
                    for wall in (31.0, 28.0, 29.0)
                ],
                "cold_wall_seconds": spread([50.0, 56.0, 58.0]),
                "warm_over_cold": paired_ratios([31.0, 28.0, 29.0], [50.0, 56.0, 58.0]),
            },
        },
        "compile": {
            "wall_seconds": spread([2.0, 2.1, 2.2]),
            "in_process_seconds": spread([1.0] * 3),
            "pipelines": 5,
            "imports_tensorflow": False,
            "peak_rss_mb": spread([80.0] * 3),
        },
    }
    results["targets"] = targets.check(results)
    return results


def _table_rows(markdown, heading):
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=False)) for line in lines[1:]
    ]


def _value(cell):
    return float(re.sub(r"[x,%]", "", cell))


def test_training_table_matches_the_json(results, tmp_path):
    report.write(results, str(tmp_path / "b.md"), str(tmp_path / "b.json"))
    data = json.loads((tmp_path / "b.json").read_text())
    rows = _table_rows((tmp_path / "b.md").read_text(), "Training throughput")
    assert [row["study"] for row in rows] == [s["study"] for s in data["training"]]
    for row, study in zip(rows, data["training"], strict=False):
        for column, value in (
            ("throughput x min", study["throughput_ratio"]["min"]),
            ("throughput x median", study["throughput_ratio"]["median"]),
            ("RSS x min", study["rss_ratio"]["min"]),
            ("RSS x median", study["rss_ratio"]["median"]),
            ("ours samples/s (median)", study["samples_per_second"]["ours"]["median"]),
            ("seed peak RSS MB (median)", study["peak_rss_mb"]["seed"]["median"]),
            ("paired repeats", len(study["throughput_ratio"]["values"])),
        ):
            assert _value(row[column]) == pytest.approx(value, abs=0.01), column


def test_efficiency_and_targets_match_the_json(results):
    markdown = report.markdown(results)
    efficiency = _table_rows(markdown, "Compute efficiency")[0]
    cnn = results["training"][1]
    expected = cnn["training_flops_per_sample"] * cnn["samples_per_second"]["ours"]["median"] / 1e9 / 120.0
    assert _value(efficiency["ours efficiency"]) == pytest.approx(100 * expected, abs=0.1)
    goals = {row["what"]: row["result"] for row in _table_rows(markdown, "Targets")}
    assert goals["imdb throughput vs seed"] == "met"  # 3300 / 1100 = 3x
    assert goals["imdb peak RSS vs seed"] == "met"  # 700 / 2800 = 0.25x
    assert goals["cifar10 throughput vs seed"] == "met"  # median of 1.04, 0.93, 1.08
    assert goals["mirai ingest + preprocess vs gzip -dc"] == "**missed**"  # 3.6x
    assert goals["compile --all imports TensorFlow"] == "met"
    assert goals["amazon ingest vs bzip2 -dc"] == "met"  # median 1.24x
    assert goals["amazon preprocess peak RSS (MB)"] == "met"
    assert goals["amazon cross_validate peak RSS (MB)"] == "met"  # 1,500 MB
    assert goals["amazon evaluate peak RSS (MB)"] == "**missed**"  # 2,100 MB
    assert goals["make demo pipeline wall (s)"] == "met"  # median 29 s
    assert "    .venv/bin/python -m bench" in markdown


def test_amazon_scale_table_has_a_row_per_step(results):
    rows = _table_rows(report.markdown(results), "Amazon at the public pair's size")
    assert [row["step"] for row in rows] == ["ingest", "preprocess", "cross_validate", "train", "evaluate"]
    assert _value(rows[0]["seconds"]) == 62.0 and _value(rows[4]["peak RSS MB"]) == 2100.0
    assert "10,000 records/s" in rows[1]["notes"] and "2,160,000 fit rows" in rows[2]["notes"]


def test_demo_row_shows_the_median_run_and_its_steps(results):
    markdown = report.markdown(results)
    assert "wall 28.00 s min, 29.00 s median over 3 runs" in markdown
    assert _table_rows(markdown, "`make demo`'s pipeline")[-1] == {
        "step": "train",
        "forked": "yes",
        "spawn": "0.10",
        "startup": "0.50",
        "kfp_import": "1.50",
        "function": "30.00",
        "exit": "4.00",
    }
    assert "56.00 s median; warm / own processes: 0.50x min, 0.50x median" in markdown
    assert "9 of the 9 steps were forked from the warm-steps server" in markdown


def test_bench_demo_is_the_makefiles_demo():
    """The bench times what `make demo` runs: its sample size and its --set options."""
    import inspect

    from bench.plan import DEMO_OVERRIDES, DEMO_SAMPLE
    from components.studies.imdb.sample import write_sample

    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    options = dict(re.findall(r"--set ([\w.]+)=(\S+)", recipe))
    options.pop("target.registry_uri")
    assert options == {k: str(v) for k, v in DEMO_OVERRIDES.items()}
    assert "sample imdb $(SAMPLE_DIR)\n" in recipe  # the generator's default size
    assert inspect.signature(write_sample).parameters["per_class"].default == DEMO_SAMPLE


def test_repeats_option_sets_every_measurements_count():
    """``--repeats`` overrides the plan's counts, the per-study training ones included; without it the
    data-bound studies, whose goals are tight, get the plan's full count."""
    from bench.plan import FULL

    plan = FULL.with_repeats(5)
    assert {plan.training_repeats(s) for s in plan.studies} == {5}
    assert (plan.repeats, plan.scale_repeats, plan.reference_repeats) == (5, 5, 5)
    assert {FULL.training_repeats(FULL.study(name)) for name in targets.DATA_BOUND} == {FULL.repeats}


def test_paired_ratios_and_interval_union():
    assert paired_ratios([2.0, 6.0, 3.0], [1.0, 2.0, 3.0]) == {"min": 1.0, "median": 2.0, "values": [2.0, 3.0, 1.0]}
    assert union_seconds([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0)]) == 4.0


def test_each_step_is_matched_to_the_launch_that_started_it_when_two_folds_overlap():
    from bench.pipeline_overhead import match

    launches = [
        {"task": "cross_validate", "launch": 10.0, "end": 20.0},
        {"task": "cross_validate", "launch": 14.0, "end": 24.0},
    ]
    steps = [{"task": "cross_validate", "process_start": 10.1}, {"task": "cross_validate", "process_start": 14.1}]
    assert [launch["launch"] for _, launch in match(steps, launches)] == [10.0, 14.0]
