"""Registered versions in the Vertex AI Model Registry: the requests, checked against the SDK's
own messages offline, and the champion alias, against a stand-in of the v1 REST API on loopback.

Vertex AI is not open source, so the stand-in follows its published contract:
- the v1 REST reference of ``projects.locations.models`` (``upload``, ``get``,
  ``listVersions``, ``mergeVersionAliases``) and ``projects.locations.operations.get``;
- the Model Registry's alias rules (cloud.google.com/vertex-ai/docs/model-registry/model-alias):
  a model's first version gets the ``default`` alias, an alias names one version at a time,
  and applying an alias that another version holds removes it from that version;
- google-cloud-aiplatform 2.7.0's ``Model.upload`` (aiplatform/models.py), whose request
  for the same arguments must equal ours, field for field.
No request reached Google: what Vertex does beyond that contract was not checked here.
"""

from __future__ import annotations

import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import yaml

from components.registry import Registry
from components.steps.register import RegisterInputs, run_register
from components.vertex_models import (
    VERSION_LABEL,
    VertexModelRegistryError,
    VertexModels,
    VertexModelSettings,
    upload_body,
)
from pipelines import vertex
from pipelines.compile import compile_study
from pipelines.targets import get_target

PROJECT, REGION = "my-project", "europe-west4"
LOCATION = f"projects/{PROJECT}/locations/{REGION}"
SERVING = "europe-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest"
CARD = {"metrics": {"accuracy": 0.8806}, "run_id": "4f1c-uuid"}


class VertexStandIn(ThreadingHTTPServer):
    """The slice of the v1 ModelService this project calls, with the Model Registry's alias rules."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.models: dict[str, list[dict]] = {}  # model id -> its versions
        self.operations: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict | None]] = []
        self.refuse: int | None = None  # answer every call with this status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def aliases(self, model: str) -> dict[str, str]:
        return {alias: v["versionId"] for v in self.models[model] for alias in v["versionAliases"]}

    def apply_aliases(self, model: str, version: dict, aliases: list[str]) -> None:
        for alias in aliases:
            if alias.startswith("-"):
                version["versionAliases"].remove(alias[1:])
                continue
            for other in self.models[model]:
                if alias in other["versionAliases"]:
                    other["versionAliases"].remove(alias)
            version["versionAliases"].append(alias)


class _Handler(BaseHTTPRequestHandler):
    server: VertexStandIn

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, text: str) -> None:
        self._answer(status, {"error": {"code": status, "message": text}})

    def do_GET(self):
        self._route("GET", None)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._route("POST", body)

    def _route(self, method: str, body: dict | None) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.server.requests.append((method, path, body))
        if self.server.refuse:
            return self._error(self.server.refuse, "Permission 'aiplatform.models.upload' denied")
        prefix = f"/v1/{LOCATION}/models"
        if method == "POST" and path == prefix + ":upload":
            return self._upload(body or {})
        if method == "GET" and path.startswith(f"/v1/{LOCATION}/operations/"):
            return self._answer(200, self.server.operations[path[len("/v1/") :]])
        match = re.fullmatch(re.escape(prefix) + r"/([a-z][a-z0-9_-]*)(?:@(\d+))?(:\w+)?", path)
        if not match or match[1] not in self.server.models:
            return self._error(404, f"Model {path} not found")
        model, versions = match[1], self.server.models[match[1]]
        if method == "GET" and match[3] is None:
            return self._answer(200, versions[-1])
        if method == "GET" and match[3] == ":listVersions":
            wanted = re.fullmatch(r'labels\.(\w+)="([^"]*)"', parse_qs(parts.query)["filter"][0])
            assert wanted, parts.query
            found = [v for v in versions if v["labels"].get(wanted[1]) == wanted[2]]
            return self._answer(200, {"models": found})
        if method == "POST" and match[3] == ":mergeVersionAliases" and match[2]:
            [version] = [v for v in versions if v["versionId"] == match[2]]
            self.server.apply_aliases(model, version, (body or {})["versionAliases"])
            return self._answer(200, version)
        return self._error(400, f"unexpected {method} {path}")

    def _upload(self, body: dict) -> None:
        model = body.get("modelId") or body["parentModel"].rsplit("/", 1)[1]
        if "modelId" in body and model in self.server.models:
            return self._error(409, f"Model {model} already exists")
        if "parentModel" in body and model not in self.server.models:
            return self._error(404, f"Model {body['parentModel']} not found")
        artifact = body["model"]["artifactUri"]
        if not os.path.isfile(os.path.join(artifact, "saved_model.pb")):
            return self._error(400, f"artifactUri {artifact} holds no saved_model.pb")
        versions = self.server.models.setdefault(model, [])
        version = {
            **body["model"],
            "name": f"{LOCATION}/models/{model}",
            "versionId": str(len(versions) + 1),
            "versionAliases": ["default"] if not versions else [],
            "labels": body["model"].get("labels", {}),
        }
        versions.append(version)
        self.server.apply_aliases(model, version, body["model"].get("versionAliases", []))
        name = f"{LOCATION}/operations/{len(self.server.operations) + 1}"
        self.server.operations[name] = {
            "name": name,
            "done": True,
            "response": {
                "@type": "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse",
                "model": f"{LOCATION}/models/{model}",
                "modelVersionId": version["versionId"],
            },
        }
        self._answer(200, {"name": name, "done": False})


@pytest.fixture
def standin():
    server = VertexStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def models(standin) -> VertexModels:
    settings = VertexModelSettings(PROJECT, REGION, SERVING, endpoint=standin.url)
    return VertexModels(settings, requests.Session(), poll_seconds=0)


def saved_model(tmp_path: Path, name: str) -> str:
    folder = tmp_path / name / "saved_model"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "saved_model.pb").write_bytes(b"pb")
    return str(folder)


def test_the_upload_request_is_the_one_the_sdk_builds_for_the_same_model(monkeypatch):
    """Our JSON, parsed by the SDK's UploadModelRequest (unknown fields refused), equals the
    request aiplatform.Model.upload hands its client, for a first and for a later version."""
    aiplatform = pytest.importorskip("google.cloud.aiplatform", reason="the vertex extra is not installed")
    from google.auth.credentials import AnonymousCredentials
    from google.cloud.aiplatform_v1.types import UploadModelRequest

    captured = []

    class Recorder:
        def upload_model(self, request, timeout=None):
            captured.append(request)
            raise _Captured

    monkeypatch.setattr(aiplatform.Model, "_instantiate_client", classmethod(lambda cls, *a, **k: Recorder()))
    settings = VertexModelSettings(PROJECT, REGION, SERVING)
    artifact = "gs://my-project-kfp-studies/registry/imdb/v20261202-ab/saved_model"
    for parent_exists, champion in ((False, True), (True, False)):
        body = upload_body(
            settings, "imdb", "v20261202-ab", artifact, CARD, champion=champion, parent_exists=parent_exists
        )
        ours = UploadModelRequest.from_json(json.dumps({**body, "parent": LOCATION}), ignore_unknown_fields=False)
        model = body["model"]
        with pytest.raises(_Captured):
            aiplatform.Model.upload(
                serving_container_image_uri=SERVING,
                artifact_uri=artifact,
                model_id=None if parent_exists else "kfp-studies-imdb",
                parent_model=f"{LOCATION}/models/kfp-studies-imdb" if parent_exists else None,
                display_name=model["displayName"],
                description=model["description"],
                labels=model["labels"],
                version_aliases=["champion"] if champion else None,
                is_default_version=champion,
                version_description=model["versionDescription"],
                project=PROJECT,
                location=REGION,
                credentials=AnonymousCredentials(),
            )
        theirs = captured.pop()
        assert UploadModelRequest.to_dict(ours) == UploadModelRequest.to_dict(theirs)
    assert dict(ours.model.labels) == {"kfp_studies_study": "imdb", VERSION_LABEL: "v20261202-ab"}


class _Captured(Exception):
    pass


def test_versions_go_under_one_model_and_the_champion_alias_follows_the_champion(standin, models, tmp_path):
    first = models.publish("imdb", "v1", saved_model(tmp_path, "v1"), CARD, champion=True)
    assert first.model == f"{LOCATION}/models/kfp-studies-imdb" and first.version_id == "1"
    [(_, _, create)] = [r for r in standin.requests if r[0] == "POST"]
    assert create["modelId"] == "kfp-studies-imdb" and "parentModel" not in create
    models.publish("imdb", "v2", saved_model(tmp_path, "v2"), CARD, champion=False)
    upload = [r for r in standin.requests if r[0] == "POST"][-1][2]
    assert upload["parentModel"] == f"{LOCATION}/models/kfp-studies-imdb" and "modelId" not in upload
    assert standin.aliases("kfp-studies-imdb") == {"default": "1", "champion": "1"}, "a challenger takes no alias"
    models.publish("imdb", "v3", saved_model(tmp_path, "v3"), CARD, champion=True)
    assert standin.aliases("kfp-studies-imdb") == {"default": "3", "champion": "3"}
    rolled_back = models.make_champion("imdb", "v1")  # what `registry rollback` does on a vertex target
    assert rolled_back.version_id == "1"
    assert standin.aliases("kfp-studies-imdb") == {"default": "1", "champion": "1"}
    assert [v["labels"][VERSION_LABEL] for v in standin.models["kfp-studies-imdb"]] == ["v1", "v2", "v3"]


def test_a_model_created_by_a_concurrent_run_gets_our_version_added(standin, models, tmp_path):
    models.publish("imdb", "v1", saved_model(tmp_path, "v1"), CARD, champion=True)
    models._model_exists = lambda study: False  # the other run created it after we looked
    published = models.publish("imdb", "v2", saved_model(tmp_path, "v2"), CARD, champion=True)
    assert published.version_id == "2" and standin.aliases("kfp-studies-imdb")["champion"] == "2"


def test_refusals_name_the_model_and_what_to_grant(standin, models, tmp_path):
    standin.refuse = 403
    with pytest.raises(
        VertexModelRegistryError, match=r"kfp-studies-imdb answered 403: Permission .*roles/aiplatform.user"
    ):
        models.publish("imdb", "v1", saved_model(tmp_path, "v1"), CARD, champion=True)
    standin.refuse = None
    with pytest.raises(VertexModelRegistryError, match=r"answered 400: artifactUri .* holds no saved_model.pb"):
        models.publish("imdb", "v1", str(tmp_path), CARD, champion=True)
    models.publish("imdb", "v1", saved_model(tmp_path, "v1"), CARD, champion=True)
    with pytest.raises(VertexModelRegistryError, match=r"has no version labelled kfp_studies_version=v9"):
        models.make_champion("imdb", "v9")


def test_register_uploads_the_registered_saved_model_as_the_champion(standin, tmp_path):
    model_dir = Path(saved_model(tmp_path, "model")).parent
    (model_dir / "model.keras").write_bytes(b"keras")
    report, evaluation = tmp_path / "report.html", tmp_path / "evaluation.json"
    report.write_text("<html></html>")
    blessing = {"register": True, "blessed": True, "forced": False, "reason": "first model"}
    evaluation.write_text(json.dumps({"accuracy": 0.9, "blessing": blessing}))
    registry_uri = str(tmp_path / "registry")
    settings = VertexModelSettings(PROJECT, REGION, SERVING, endpoint=standin.url)
    version = run_register(
        "imdb",
        RegisterInputs(str(model_dir), str(report), str(evaluation), {"source": "s", "records": 10}),
        {},
        registry_uri,
        "img:1",
        "run-1",
        settings,
        requests.Session(),
    )
    [upload] = [body for method, _, body in standin.requests if method == "POST"]
    assert upload["model"]["artifactUri"] == Registry(registry_uri).file_uri("imdb", version, "saved_model")
    assert upload["model"]["versionAliases"] == ["champion", "default"]
    assert upload["model"]["versionDescription"] == f"{version}: accuracy 0.9000, run run-1"


def test_vertex_packages_carry_the_upload_settings_and_others_none(tmp_path):
    def register_input(target):
        with open(compile_study("imdb", target, str(tmp_path / target.name))) as f:
            spec = next(yaml.safe_load_all(f))
        [register] = [
            dag["dag"]["tasks"]["register"]
            for dag in spec["components"].values()
            if "register" in dag.get("dag", {}).get("tasks", {})
        ]
        return register["inputs"]["parameters"]["vertex_model_registry"]["runtimeValue"]["constant"]

    assert register_input(get_target("vertex")) == {"project": PROJECT, "region": REGION, "serving_image": SERVING}
    assert register_input(get_target("local")) == {}
    mine = get_target(
        "vertex", overrides={"serving_image": "us-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-15:latest"}
    )
    assert register_input(mine)["serving_image"] == "us-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-15:latest"


def test_the_default_serving_image_is_a_prebuilt_tensorflow_container_of_the_region():
    aiplatform = pytest.importorskip("google.cloud.aiplatform", reason="the vertex extra is not installed")
    from google.cloud.aiplatform.constants import prediction

    known = set(prediction.TF_CONTAINER_URIS) if hasattr(prediction, "TF_CONTAINER_URIS") else set()
    for region, host in (("europe-west4", "europe"), ("us-central1", "us"), ("asia-east1", "asia")):
        image = vertex.serving_image(get_target("vertex", overrides={"region": region}))
        assert image.startswith(f"{host}-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.")
        assert prediction.CONTAINER_URI_PATTERN.fullmatch(image), image
        assert not known or image in known, f"{image} is not a container aiplatform {aiplatform.__version__} lists"


def test_promoting_on_a_vertex_target_moves_the_vertex_alias_too(monkeypatch, tmp_path, capsys):
    """The champion moves in the project's registry, then the CLI goes to Vertex for the alias:
    here with no Google credentials (the real google.auth, under an empty HOME), one line says so."""
    from pipelines.cli import main

    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    registry = Registry(tmp_path / "registry")
    version = registry.register("imdb", Path(saved_model(tmp_path, "m")).parent, {"metrics": {"accuracy": 0.9}})
    argv = ["registry", "promote", "imdb", version, "--target", "vertex", "--registry", registry.uri]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == f"imdb: champion is now {version}\n"
    assert err.count("\n") == 1 and "no Google Cloud credentials" in err, err
    assert registry.champion_pointer("imdb")["version"] == version
