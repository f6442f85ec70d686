"""``kfp-studies submit`` through the real kfp.Client, asserted on the REST calls it makes."""

import pytest
from kfp_standin import KfpStandIn, run_spec

from pipelines.cli import main

pytestmark = pytest.mark.protocol

SOURCE = "s3://mlpipeline/data/aclImdb_v1.tar.gz"


def submit(api, *extra):
    return main(
        [
            "submit",
            "imdb",
            "--target",
            "kind",
            "--set",
            f"target.host={api.url}",
            "--poll",
            "0.01",
            "--param",
            f"source={SOURCE}",
            *extra,
        ]
    )


def test_submit_creates_the_experiment_and_a_run_with_the_targets_settings(api, capsys):
    assert submit(api, "--param", "epochs=2", "--set", "cv_folds=3", "--experiment", "nightly", "--wait") == 0

    out = capsys.readouterr().out
    [run_call] = api.requests_to("POST", "/runs")
    run_id = next(iter(api.runs))
    assert f"{api.url}/#/runs/details/{run_id}" in out and "SUCCEEDED" in out

    # The experiment: looked up by name, created since absent, and the run filed under it.
    [lookup] = api.requests_to("GET", "/experiments")
    assert '"nightly"' in lookup.query["filter"]
    [created] = api.requests_to("POST", "/experiments")
    assert created.body["display_name"] == "nightly"
    body = run_call.body
    assert body["experiment_id"] == api.experiments.popitem()[0]
    assert body["display_name"].startswith("imdb-kind-")

    # The parameters, typed; the target's pipeline root and service account.
    # fixed_settings: the settings the user named, which win over a variant's own (TrainingParams.for_variant)
    assert body["runtime_config"]["parameters"] == {
        "source": SOURCE,
        "epochs": 2,
        "cv_folds": 3,
        "fixed_settings": "epochs",
    }
    assert body["runtime_config"]["pipeline_root"] == "minio://mlpipeline/v2/artifacts"
    assert body["service_account"] == "pipeline-runner"

    # The pipeline spec, inline: the target's image and root, per-task caching as compiled.
    spec, platform = run_spec(body)
    assert spec["pipelineInfo"]["name"] == "imdb"
    assert spec["defaultPipelineRoot"] == "minio://mlpipeline/v2/artifacts"
    assert {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values()} == {
        "localhost/kfp-studies:0.1.0"
    }
    tasks = spec["root"]["dag"]["tasks"]
    assert tasks["ingest"]["cachingOptions"] == {"enableCache": True}
    assert not tasks["probe-source"]["cachingOptions"].get("enableCache")
    # The secret is referenced by name, for every step.
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert executors["exec-ingest"]["secretAsEnv"][0]["secretName"] == "mlpipeline-minio-artifact"

    # Waiting: the run was polled until it ended.
    polls = api.requests_to("GET", f"/runs/{run_id}")
    assert len(polls) == 2


def test_an_existing_experiment_is_reused(api):
    assert submit(api, "--experiment", "nightly") == 0
    assert submit(api, "--experiment", "nightly") == 0
    assert len(api.requests_to("POST", "/experiments")) == 1
    runs = api.requests_to("POST", "/runs")
    assert len(runs) == 2 and runs[0].body["experiment_id"] == runs[1].body["experiment_id"]


def test_without_wait_the_run_is_not_polled(api, capsys):
    assert submit(api) == 0
    assert not api.requests_to("GET", "/runs/")
    assert "state" not in capsys.readouterr().out


@pytest.mark.parametrize("final", ["FAILED", "CANCELED"])
def test_a_run_that_does_not_succeed_exits_non_zero(final, capsys):
    with KfpStandIn(run_states=["RUNNING", final]) as api:
        assert submit(api, "--wait") == 1
    assert final in capsys.readouterr().out


def test_waiting_gives_up_after_the_timeout(capsys):
    with KfpStandIn(run_states=["RUNNING"]) as api:
        assert submit(api, "--wait", "--timeout", "0.2") == 1
    assert "still RUNNING after 0.2 s" in capsys.readouterr().err


def test_caching_off_in_the_target_is_in_every_task_of_the_submitted_spec(api):
    assert submit(api, "--set", "target.caching=false") == 0
    spec, _ = run_spec(api.requests_to("POST", "/runs")[0].body)
    tasks = spec["root"]["dag"]["tasks"]
    assert "probe-source" not in tasks, "no cache to keep fresh: ingest reads the source every run anyway"
    assert not any(t.get("cachingOptions", {}).get("enableCache") for t in tasks.values())


def test_gpu_request_node_selector_and_tolerations_reach_the_api(api):
    assert (
        main(
            ["submit", "imdb", "--target", "kind-gpu", "--set", f"target.host={api.url}", "--param", f"source={SOURCE}"]
        )
        == 0
    )
    spec, platform = run_spec(api.requests_to("POST", "/runs")[0].body)
    accelerator = spec["deploymentSpec"]["executors"]["exec-train"]["container"]["resources"]["accelerator"]
    assert accelerator["resourceType"] == "nvidia.com/gpu" and accelerator["resourceCount"] == "1"
    train = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-train"]
    assert train["nodeSelector"]["labels"] == {"run.ai/simulated-gpu-node-pool": "default"}
    assert train["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]


def test_credentials_of_this_machine_never_reach_the_api(api, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sentinel-secret-value")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sentinel-key-id")
    assert submit(api) == 0
    sent = repr([r.body for r in api.requests])
    assert "sentinel" not in sent
    assert "AWS_SECRET_ACCESS_KEY" in sent, "only the name of the variable the secret fills"


def test_bad_input_is_refused_before_anything_is_sent(api, capsys):
    assert main(["submit", "imdb", "--target", "kind", "--set", f"target.host={api.url}"]) == 2
    assert "source" in capsys.readouterr().err and not api.requests_to("POST", "/runs")
    assert submit(api, "--param", "epochs=many") == 2
    assert "epochs" in capsys.readouterr().err
    assert submit(api, "--set", "target.gpu_count=one") == 2
    assert "gpu_count" in capsys.readouterr().err
    assert not api.requests
    assert main(["submit", "imdb", "--target", "kind", "--set", "target.host=", "--param", f"source={SOURCE}"]) == 2
    assert "host: required to submit imdb" in capsys.readouterr().err


def test_a_local_target_cannot_be_submitted(capsys):
    assert main(["submit", "imdb", "--target", "local", "--param", f"source={SOURCE}"]) == 2
    assert "run imdb --local" in capsys.readouterr().err


def test_an_unreachable_api_is_one_clear_line(capsys):
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert (
        main(
            [
                "submit",
                "imdb",
                "--target",
                "kind",
                "--set",
                f"target.host=http://127.0.0.1:{port}",
                "--param",
                f"source={SOURCE}",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("kfp-studies submit: error: cannot reach kfp API of target 'kind'") and "Traceback" not in err
