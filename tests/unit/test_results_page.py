"""docs/results.md is written from run records: what a record holds appears, what is missing is said."""

import json

from pipelines import reproduce, results_page
from pipelines.reproduction_plan import PLAN, Reproduction

AMAZON = Reproduction("amazon", "sample.ft.txt", 0.8828, "test accuracy", "25,000 reviews", {"variants": "gru,rnn"})
DIGITS = Reproduction("digits", "pendigits", 0.9472, "best CV mean", "the seed's best")
CIFAR = Reproduction("cifar10", "cifar.tar.gz", 0.7646, "test accuracy", "600+ epochs")
MIRAI = Reproduction("mirai", "mirai", 0.9226, "test accuracy", "best model")

COMPARISON = "| model | CV mean (± std) |\n|---|---|\n| gru | 81.00% (±1.00%) |\n| rnn | 79.00% (±2.00%) |\n"


def _record(out, study, **fields):
    (out / study).mkdir(parents=True)
    record = {
        "study": study,
        "command": f"kfp-studies run {study} --local --source x",
        "extra": {},
        "started": "2026-12-02T16:00:00+00:00",
        "commit": "abc123",
        "status": "finished",
        "exit_status": 0,
        "wall_s": 3725.0,
        "peak_rss_mb": 1234.4,
        "log": "run.log",
        "cpus": 2,
        "load_average_at_start": 7.5,
        **fields,
    }
    (out / study / "record.json").write_text(json.dumps(record))


def test_the_page_sets_each_run_beside_the_seed_and_says_what_did_not_run(tmp_path):
    out, datasets = tmp_path / "out", tmp_path / "data"
    (datasets / "pendigits").mkdir(parents=True)
    evaluation = {
        "accuracy": 0.83,
        "loss": 0.41,
        "majority_baseline_accuracy": 0.5,
        "baselines": {"tfidf_logreg_accuracy": 0.854},
        "trained_with": {"epochs": 20, "batch_size": 1024, "learning_rate": 0.001},
    }
    _record(
        out,
        "amazon",
        evaluation=evaluation,
        comparison=COMPARISON,
        cv_means={"gru": 0.81, "rnn": 0.79},
        chosen="gru",
        load_average_15min_at_end=9.1,
        cpu_s=5400.0,
    )
    _record(out, "cifar10", status="running", extra={"epochs": "3"})
    page = results_page.render([AMAZON, DIGITS, CIFAR, MIRAI], str(out), str(datasets))

    amazon = page.split("## amazon")[1].split("## digits")[0]
    assert "| machine | 2 CPUs, load average 7.5 at the start, 9.1 over the last 15 minutes |" in amazon
    assert "| CPU time (user + system) | 1 h 30 min |" in amazon
    assert "| wall time | 1 h 02 min |" in amazon and "| peak memory (RSS) | 1234 MB |" in amazon
    assert "| test accuracy | **0.8300** (loss 0.4100) |" in amazon and "0.8828 test accuracy" in amazon
    assert "| trained variant | `gru` (epochs 20, batch_size 1024, learning_rate 0.001) |" in amazon
    assert COMPARISON.rstrip() in amazon
    assert "Our test accuracy, 0.8300, does not reach the seed's 0.8828" in amazon
    assert "does not beat the tfidf logreg baseline's 0.8540" in amazon
    assert "No variant's CV mean (best 0.8100) beats the tfidf logreg baseline's test accuracy 0.8540." in amazon
    assert "present, but no run recorded" in page.split("## digits")[1].split("## cifar10")[0]
    cifar = page.split("## cifar10")[1]
    assert "**Unfinished:**" in cifar and "epochs=3 (a reduced budget" in cifar
    assert "is absent here" in page.split("## mirai")[1]


def test_a_cv_seed_number_is_set_beside_our_best_cv_mean(tmp_path):
    _record(tmp_path, "digits", evaluation={}, cv_means={"gru64": 0.9594, "gru4x64": 0.9590}, chosen="gru64")
    page = results_page.render([DIGITS], str(tmp_path), str(tmp_path))
    assert "Our best CV mean, 0.9594, reaches the seed's 0.9472" in page


def test_outputs_are_read_from_the_runs_own_artifacts(tmp_path):
    run = tmp_path / "imdb-2026" / "evaluate"
    run.mkdir(parents=True)
    (run / "evaluation").write_text(json.dumps({"accuracy": 0.88, "loss": 0.3, "per_class": {}, "baselines": {}}))
    compare = tmp_path / "imdb-2026" / "compare-variants"
    compare.mkdir()
    (compare / "comparison").write_text(COMPARISON)
    metrics = {"metadata": {"gru.mean_accuracy": 0.81, "gru.std_accuracy": 0.01}}
    (compare / "executor_output.json").write_text(
        json.dumps({"parameterValues": {"Output": "gru"}, "artifacts": {"metrics": {"artifacts": [metrics]}}})
    )
    found = reproduce.outputs(str(tmp_path))
    assert found == {
        "evaluation": {"accuracy": 0.88, "loss": 0.3, "baselines": {}},
        "comparison": COMPARISON,
        "cv_means": {"gru": 0.81},
        "chosen": "gru",
    }
    assert reproduce.outputs(str(tmp_path / "nothing")) == {}


def test_a_study_without_data_is_skipped_without_a_record(tmp_path):
    assert reproduce.reproduce(PLAN[0], str(tmp_path), {}, out=str(tmp_path / "out")) is None
    assert not (tmp_path / "out").exists()


def test_a_stopped_run_is_recorded_with_the_last_epoch_its_log_shows(tmp_path):
    log = tmp_path / "run.log"
    log.write_text("Epoch 1/6\n352/352 - 1276s - val_accuracy: 0.4896 - epoch_seconds: 1269.8\nEpoch 2/6\n")
    _record(tmp_path, "cifar10", status="running", log=str(log))
    record = reproduce.mark_stopped("cifar10", out=str(tmp_path))
    assert record["status"] == "stopped" and record["epochs_logged"] == 1 and record["wall_s"] > 0
    page = results_page.render([CIFAR], str(tmp_path), str(tmp_path))
    assert "**Stopped before it finished:** no test result." in page
    assert "    352/352 - 1276s - val_accuracy: 0.4896 - epoch_seconds: 1269.8" in page
    assert reproduce.mark_stopped("imdb", out=str(tmp_path)) is None


def test_a_study_without_a_record_here_keeps_the_run_section_the_page_had(tmp_path):
    """A clone has no out/ folder: regenerating the page after running one study must not erase the
    results of runs made on another machine, and must say which sections were kept."""
    out, datasets = tmp_path / "out", tmp_path / "data"
    _record(out, "amazon", evaluation={}, cv_means={"gru": 0.81}, chosen="gru")
    earlier = results_page.render([AMAZON, DIGITS, MIRAI], str(out), str(datasets))
    (out / "amazon" / "record.json").unlink()
    _record(out, "digits", evaluation={}, cv_means={"gru64": 0.9594}, chosen="gru64")

    page = results_page.render([AMAZON, DIGITS, MIRAI], str(out), str(datasets), earlier)
    amazon = page.split("## amazon")[1].split("## digits")[0]
    assert results_page.KEPT in amazon and "| commit | `abc123` |" in amazon
    assert (
        amazon.strip().removeprefix(results_page.KEPT).strip()
        == earlier.split("## amazon")[1].split("## digits")[0].strip()
    )
    assert "Our best CV mean, 0.9594, reaches" in page and results_page.KEPT not in page.split("## digits")[1]
    assert "is absent here" in page.split("## mirai")[1]  # a "Not run" section is this machine's, not kept
    assert results_page.render([AMAZON, DIGITS, MIRAI], str(out), str(datasets), page) == page  # stable
