"""``kfp-studies schedule`` through the real kfp.Client, asserted on the REST calls it makes."""

import re

import pytest
from kfp_standin import run_spec

from pipelines.cli import main

pytestmark = pytest.mark.protocol

SOURCE = "s3://mlpipeline/data/aclImdb_v1.tar.gz"


def schedule(api, *args):
    return main(["schedule", *args, "--target", "kind", "--set", f"target.host={api.url}"])


def create(api, *extra):
    return schedule(api, "imdb", "--cron", "30 2 * * 1-5", "--param", f"source={SOURCE}", *extra)


def test_a_recurring_run_with_the_cron_translated_and_the_targets_settings(api, capsys):
    assert (
        create(api, "--max-concurrency", "2", "--no-catchup", "--param", "epochs=3", "--experiment", "retraining") == 0
    )

    [call] = api.requests_to("POST", "/recurringruns")
    body = call.body
    # The 5-field cron became robfig's 6-field form: seconds first.
    assert body["trigger"] == {"cron_schedule": {"cron": "0 30 2 * * 1-5"}}
    assert body["max_concurrency"] == 2 and body["no_catchup"] is True
    assert body["mode"] == "ENABLE"
    assert body["display_name"] == "imdb-kind-retrain"
    # Every run reads the source URI afresh: it is a parameter, not a snapshot.
    # Scheduled runs stop on schema anomalies and warn on drift unless --param says otherwise.
    assert body["runtime_config"]["parameters"] == {
        "source": SOURCE,
        "epochs": 3,
        "on_anomaly": "stop",
        "on_drift": "warn",
        "fixed_settings": "epochs",  # named by the user: wins over a variant's own epochs
    }
    assert body["runtime_config"]["pipeline_root"] == "minio://mlpipeline/v2/artifacts"
    assert body["service_account"] == "pipeline-runner"
    [experiment] = api.requests_to("POST", "/experiments")
    assert experiment.body["display_name"] == "retraining"
    assert body["experiment_id"] == next(iter(api.experiments))

    spec, platform = run_spec(body)
    tasks = spec["root"]["dag"]["tasks"]
    assert tasks["ingest"]["cachingOptions"] == {"enableCache": True}, "unchanged data: served from the cache"
    assert not tasks["probe-source"]["cachingOptions"].get("enableCache"), "but the data's version is read each run"
    assert not tasks["evaluate"]["cachingOptions"].get("enableCache"), "and blessed against the current champion"
    assert (
        tasks["ingest"]["inputs"]["parameters"]["source_version"]["taskOutputParameter"]["producerTask"]
        == "probe-source"
    )
    assert platform, "the Kubernetes platform spec travels with the pipeline spec"

    out = capsys.readouterr().out
    assert "0 30 2 * * 1-5" in out and "30 2 * * 1-5" in out


def test_catch_up_is_on_unless_refused_and_is_printed_as_the_server_answers_it(api, capsys):
    assert create(api) == 0
    body = api.requests_to("POST", "/recurringruns")[0].body
    assert body["no_catchup"] is False and body["max_concurrency"] == 1
    # The server leaves no_catchup out when it is false (EmitUnpopulated: false): catch-up on.
    recurring_id = next(iter(api.recurring_runs))
    out = capsys.readouterr().out
    assert re.search(r"catch-up +yes", out) and re.search(r"max concurrency +1", out)

    assert schedule(api, "digits", "--cron", "0 3 * * 0", "--param", "source=s3://b/pendigits", "--no-catchup") == 0
    assert re.search(r"catch-up +no", capsys.readouterr().out)

    assert schedule(api, "list") == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows[recurring_id][3:5] == ["1", "yes"]
    [other] = set(rows) - {recurring_id}
    assert rows[other][3:5] == ["1", "no"]


@pytest.mark.parametrize("concurrency", ["0", "11"])
def test_max_concurrency_outside_what_kfp_takes_is_refused_before_sending(api, capsys, concurrency):
    # The KFP 2.17.0 API refuses it (backend/src/apiserver/server/api_converter.go): say so here, first.
    assert create(api, "--max-concurrency", concurrency) == 2
    err = capsys.readouterr().err
    assert f"--max-concurrency {concurrency}" in err and "from 1 to 10" in err
    assert not api.requests


def test_max_concurrency_10_is_sent(api):
    assert create(api, "--max-concurrency", "10") == 0
    assert api.requests_to("POST", "/recurringruns")[0].body["max_concurrency"] == 10


def test_the_explicit_create_action_is_the_same(api):
    assert schedule(api, "create", "imdb", "--cron", "0 4 * * *", "--param", f"source={SOURCE}") == 0
    assert api.requests_to("POST", "/recurringruns")[0].body["trigger"]["cron_schedule"]["cron"] == "0 0 4 * * *"


def test_a_six_field_cron_is_refused_with_the_difference_explained(api, capsys):
    assert schedule(api, "imdb", "--cron", "0 30 2 * * *", "--param", f"source={SOURCE}") == 2
    err = capsys.readouterr().err
    assert "6 fields" in err and "seconds first" in err and "Did you mean '30 2 * * *'?" in err
    assert not api.requests, "refused before anything is sent"


def test_the_time_zone_must_be_the_clusters_on_kfp(api, capsys):
    assert create(api, "--timezone", "UTC") == 0
    assert create(api, "--timezone", "Europe/Paris") == 2
    err = capsys.readouterr().err
    assert "cronScheduleTimezone" in err and "Europe/Paris" in err
    assert len(api.requests_to("POST", "/recurringruns")) == 1
    assert create(api, "--set", "target.schedule_timezone=Europe/Paris", "--timezone", "Europe/Paris") == 0


def test_list_pause_resume_delete(api, capsys):
    assert create(api) == 0
    assert schedule(api, "digits", "--cron", "0 3 * * 0", "--param", "source=s3://mlpipeline/data/pendigits") == 0
    ids = list(api.recurring_runs)
    capsys.readouterr()

    assert schedule(api, "list", "imdb") == 0
    out = capsys.readouterr().out
    assert ids[0] in out and ids[1] not in out and "ENABLED" in out and "0 30 2 * * 1-5" in out
    assert api.requests_to("GET", "/recurringruns")

    assert schedule(api, "pause", ids[0]) == 0
    assert api.requests_to("POST", f"/recurringruns/{ids[0]}:disable")
    assert schedule(api, "list") == 0
    out = capsys.readouterr().out
    assert "PAUSED" in out and ids[1] in out

    assert schedule(api, "resume", ids[0]) == 0
    assert api.requests_to("POST", f"/recurringruns/{ids[0]}:enable")
    assert schedule(api, "delete", ids[1]) == 0
    assert api.requests_to("DELETE", f"/recurringruns/{ids[1]}")
    assert list(api.recurring_runs) == [ids[0]]


def test_an_unknown_schedule_is_a_clear_error(api, capsys):
    assert schedule(api, "pause", "recurring-404") == 2
    assert "recurring run not found" in capsys.readouterr().err
