"""Vertex AI: the PipelineJob, submit and schedule arguments built from a target, without a network."""

import re
import types

import pytest

from pipelines import schedule, submit, vertex
from pipelines.cli import main
from pipelines.compile import compile_study
from pipelines.run_request import RunRequest
from pipelines.targets import TargetError, get_target

SOURCE = "gs://my-project-kfp-studies/data/aclImdb_v1.tar.gz"


@pytest.fixture(autouse=True)
def _packaged_targets(monkeypatch):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return compile_study("imdb", get_target("vertex"), str(tmp_path_factory.mktemp("vertex")))


def test_job_arguments_come_from_the_target(package):
    target = get_target("vertex")
    request = RunRequest("imdb", target, {"source": SOURCE, "epochs": 2}, package, "imdb-vertex-20260101-000000")
    args = vertex.job_args(request)
    assert args == {
        "display_name": "imdb-vertex-20260101-000000",
        "template_path": package,
        "job_id": "imdb-vertex-20260101-000000",
        "pipeline_root": "gs://my-project-kfp-studies/pipeline-root",
        "parameter_values": {"source": SOURCE, "epochs": 2},
        "enable_caching": None,
        "labels": {"study": "imdb", "target": "vertex"},
        "project": "my-project",
        "location": "europe-west4",
    }
    assert vertex.submit_args(target, "nightly") == {
        "service_account": "kfp-studies@my-project.iam.gserviceaccount.com",
        "experiment": "nightly",
    }
    assert vertex.schedule_args(target, "imdb-vertex-retrain", "30 2 * * 1-5", "Europe/Paris", 2) == {
        "cron": "TZ=Europe/Paris 30 2 * * 1-5",
        "display_name": "imdb-vertex-retrain",
        "max_concurrent_run_count": 2,
        "service_account": "kfp-studies@my-project.iam.gserviceaccount.com",
    }


def test_project_and_region_are_required_to_run(package):
    target = get_target("vertex", overrides={"project": ""})
    with pytest.raises(TargetError, match="project: required to run on Vertex AI"):
        vertex.job_args(RunRequest("imdb", target, {}, package, "x"))


def test_the_real_pipeline_job_accepts_them_offline(package):
    aiplatform = pytest.importorskip("google.cloud.aiplatform", reason="the vertex extra is not installed")
    from google.auth.credentials import AnonymousCredentials

    target = get_target("vertex")
    args = vertex.job_args(RunRequest("imdb", target, {"source": SOURCE, "epochs": 2}, package, "imdb-run-1"))
    job = aiplatform.PipelineJob(**args, credentials=AnonymousCredentials())
    resource = job._gca_resource
    assert job.project == "my-project" and job.location == "europe-west4" and job.job_id == "imdb-run-1"
    assert resource.runtime_config.gcs_output_directory == target.pipeline_root
    assert dict(resource.runtime_config.parameter_values) == {"source": SOURCE, "epochs": 2}
    assert dict(resource.labels) == {"study": "imdb", "target": "vertex"}
    executors = resource.pipeline_spec["deploymentSpec"]["executors"]
    train = executors["exec-train"]["container"]["resources"]
    assert train["accelerator"]["resourceType"] == "NVIDIA_TESLA_T4" and train["accelerator"]["resourceCount"] == "1"
    assert train["resourceCpuLimit"] == "8" and train["resourceMemoryLimit"] == "30G"
    assert "accelerator" not in executors["exec-ingest"]["container"].get("resources", {})
    assert {e["container"]["image"] for e in executors.values()} == {target.image}


class FakeAiplatform:
    """Records what submit and schedule hand to google-cloud-aiplatform."""

    def __init__(self, states=("PIPELINE_STATE_RUNNING", "PIPELINE_STATE_SUCCEEDED")):
        self.jobs: list = []
        self.states = list(states)
        fake = self

        class PipelineJob:
            def __init__(self, **kwargs):
                self.kwargs, self.job_id, self.submitted, self.schedule = kwargs, kwargs["job_id"], None, None
                fake.jobs.append(self)

            def submit(self, **kwargs):
                self.submitted = kwargs

            @property
            def state(self):
                return types.SimpleNamespace(name=fake.states.pop(0) if len(fake.states) > 1 else fake.states[0])

            def create_schedule(self, **kwargs):
                self.schedule = kwargs
                return types.SimpleNamespace(
                    resource_name="projects/p/locations/europe-west4/schedules/123",
                    display_name=kwargs["display_name"],
                    cron=kwargs["cron"],
                    state=types.SimpleNamespace(name="ACTIVE"),
                    max_concurrent_run_count=kwargs["max_concurrent_run_count"],
                )

        self.PipelineJob = PipelineJob


def test_submit_hands_the_arguments_to_pipeline_job_and_waits(monkeypatch, package):
    fake = FakeAiplatform()
    monkeypatch.setattr(vertex, "aiplatform", lambda: fake)
    run = submit.submit("imdb", get_target("vertex"), {"source": SOURCE}, wait=True, poll_seconds=0, package=package)
    [job] = fake.jobs
    # The run name already names the study and the target: neither is doubled (imdb-imdb-...).
    assert re.fullmatch(r"imdb-vertex-\d{8}-\d{6}", job.kwargs["display_name"])
    assert job.kwargs["job_id"] == job.kwargs["display_name"] == run.run_id
    assert job.kwargs["template_path"] == package and job.kwargs["parameter_values"] == {"source": SOURCE}
    assert job.submitted == {
        "service_account": "kfp-studies@my-project.iam.gserviceaccount.com",
        "experiment": "kfp-studies",
    }
    assert run.state == "SUCCEEDED" and run.succeeded
    assert run.url == (
        f"https://console.cloud.google.com/vertex-ai/locations/europe-west4/pipelines/runs/{run.run_id}"
        "?project=my-project"
    )
    submit.submit("imdb", get_target("vertex"), {"source": SOURCE}, package=package, name="Nightly IMDB")
    assert fake.jobs[1].kwargs["display_name"] == "Nightly IMDB" and fake.jobs[1].kwargs["job_id"] == "nightly-imdb"


def test_schedule_passes_the_standard_cron_with_its_zone(monkeypatch, package):
    fake = FakeAiplatform()
    monkeypatch.setattr(vertex, "aiplatform", lambda: fake)
    created, notes = schedule.create(
        "imdb",
        get_target("vertex"),
        "30 2 * * 1-5",
        {"source": SOURCE},
        timezone="Europe/Paris",
        max_concurrency=2,
        package=package,
    )
    [job] = fake.jobs
    assert re.fullmatch(r"imdb-vertex-\d{8}-\d{6}", job.kwargs["display_name"]), "the runs' template, not doubled"
    assert job.schedule["cron"] == "TZ=Europe/Paris 30 2 * * 1-5"
    assert job.schedule["max_concurrent_run_count"] == 2
    assert job.schedule["display_name"] == "imdb-vertex-retrain"
    assert created.id == "123" and created.cron == "TZ=Europe/Paris 30 2 * * 1-5" and created.state == "ACTIVE"
    assert notes and "backfill" in notes[0]
    _, notes = schedule.create(
        "imdb", get_target("vertex"), "0 3 * * *", {"source": SOURCE}, catchup=False, package=package
    )
    assert notes == []


def test_vertex_without_the_extra_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_aiplatform(name, globals=None, locals=None, fromlist=(), level=0):
        if name.startswith("google.cloud") and "aiplatform" in (fromlist or ()):
            raise ImportError("no aiplatform")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_aiplatform)
    with pytest.raises(TargetError, match=r"kfp-studies\[vertex\]"):
        vertex.aiplatform()


def test_missing_google_credentials_are_one_line_with_the_fix(monkeypatch, tmp_path, capsys, package):
    """The real google.auth, finding nothing: no key file, no gcloud config under an empty HOME."""
    pytest.importorskip("google.cloud.aiplatform", reason="the vertex extra is not installed")
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DefaultCredentialsError):
        google.auth.default()

    submit_command = ["submit", "imdb", "--target", "vertex", "--package", package, "--param", f"source={SOURCE}"]
    for argv in (submit_command, ["schedule", "list", "--target", "vertex"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"kfp-studies {argv[0]}: error: target 'vertex': no Google Cloud credentials")
        assert "gcloud auth application-default login" in err and "GOOGLE_APPLICATION_CREDENTIALS" in err
