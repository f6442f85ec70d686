"""The stand-in keeps the rules of the KFP 2.17.0 API server that a client can trip over.

Each test names the upstream file (kubeflow/pipelines at tag 2.17.0) the rule is read from.
They talk raw HTTP, so what is asserted is the wire format, not what kfp.Client makes of it.
"""

import json
import urllib.error
import urllib.request

import pytest

from pipelines.compile import compile_study
from pipelines.targets import get_target

pytestmark = pytest.mark.protocol

CRON = {"cron_schedule": {"cron": "0 0 3 * * *"}}


def call(api, method, path, body=None):
    """(HTTP status, JSON answer) of one request to the stand-in."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{api.url}/apis/v2beta1{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def recurring_run(**fields):
    return {"display_name": "imdb-kind-retrain", "mode": "ENABLE", "trigger": CRON, "max_concurrency": 1, **fields}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/runs", {"display_name": "r", "pipeline_spec": {}, "enable_caching": True}),
        ("/recurringruns", recurring_run(trigger={"cron_schedule": {"cron": "0 0 3 * * *", "timezone": "UTC"}})),
        ("/experiments", {"display_name": "e", "owner": "me"}),
    ],
)
def test_an_unknown_request_field_is_refused(api, path, body):
    # backend/src/apiserver/common/utils.go (CustomMarshaler): UnmarshalOptions{DiscardUnknown: false}.
    status, answer = call(api, "POST", path, body)
    assert status == 400 and answer["code"] == 3
    assert "unknown field" in answer["message"]
    assert not api.runs and not api.recurring_runs and not api.experiments


def test_proto_and_json_names_are_both_read(api):
    # protojson (the same marshaler) accepts a field's proto name and its lowerCamelCase JSON name.
    status, answer = call(api, "POST", "/experiments", {"displayName": "e"})
    assert status == 200 and answer["display_name"] == "e"


@pytest.mark.parametrize("concurrency", [0, 11, -1])
def test_max_concurrency_outside_1_to_10_is_refused(api, concurrency):
    # backend/src/apiserver/server/api_converter.go (toModelJob): "at least 1 and at most 10".
    status, answer = call(api, "POST", "/recurringruns", recurring_run(max_concurrency=concurrency))
    assert status == 400
    assert answer["message"] == (
        f"Max concurrency of a recurring run must be at least 1 and at most 10. Received {concurrency}"
    )
    assert not api.recurring_runs


def test_max_concurrency_10_is_accepted(api):
    assert call(api, "POST", "/recurringruns", recurring_run(max_concurrency=10))[0] == 200


def test_false_zero_and_empty_fields_are_left_out_and_int64_is_a_string(api):
    # backend/src/apiserver/common/utils.go (CustomMarshaler): MarshalOptions{UseProtoNames: true,
    # EmitUnpopulated: false}; protojson writes int64 (max_concurrency) as a JSON string.
    status, created = call(
        api,
        "POST",
        "/recurringruns",
        recurring_run(max_concurrency=3, no_catchup=False, description="", service_account=""),
    )
    assert status == 200
    assert created["max_concurrency"] == "3"
    assert not {"no_catchup", "description", "service_account"} & set(created)
    assert created["mode"] == "ENABLE" and created["status"] == "ENABLED"

    status, listed = call(api, "GET", "/recurringruns")
    [only] = listed["recurringRuns"]
    assert only == created and listed["total_size"] == 1, "int32 stays a number"

    assert call(api, "POST", "/recurringruns", recurring_run(no_catchup=True))[1]["no_catchup"] is True
    assert call(api, "GET", "/healthz")[1] == {"pipeline_store": "database"}, "multi_user false is left out"
    assert call(api, "GET", "/experiments?filter=%7B%7D")[1] == {}, "no experiments: an empty answer"


def test_parameter_values_inside_a_struct_are_kept_even_when_false(api):
    # Only proto fields are left out: false and zero *values* of the parameters map are data.
    parameters = {"force_register": False, "threshold": 0.0, "source": ""}
    status, run = call(api, "POST", "/runs", {"display_name": "r", "runtime_config": {"parameters": parameters}})
    assert status == 200 and run["runtime_config"]["parameters"] == parameters


def test_the_real_client_gets_the_servers_refusal(api, tmp_path):
    # What kfp.Client makes of the same refusal, asked past kfp-studies' own check.
    import kfp
    import kfp_server_api

    package = compile_study("digits", get_target("kind"), str(tmp_path))
    client = kfp.Client(host=api.url)
    experiment = client.create_experiment(name="e").experiment_id
    with pytest.raises(kfp_server_api.ApiException) as error:
        client.create_recurring_run(
            experiment_id=experiment,
            job_name="j",
            cron_expression="0 0 3 * * *",
            max_concurrency=11,
            pipeline_package_path=package,
        )
    assert error.value.status == 400 and "at most 10" in error.value.body
