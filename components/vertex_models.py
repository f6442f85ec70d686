"""Publish registered versions to the Vertex AI Model Registry, and keep its ``champion`` alias
on the version the project's registry names champion.

On a vertex target every registered version is also uploaded as a version of one
Vertex model per study (``kfp-studies-<study>``), served by a prebuilt TensorFlow
prediction container from the version's ``saved_model/`` folder. The champion
carries the aliases ``champion`` and ``default`` (so the bare model name serves the
champion); Vertex moves an alias off the version that had it when another takes it.
Each Vertex version is labelled with its registry version, so ``registry promote``
and ``rollback`` can find it later.

Plain REST with google-auth rather than google-cloud-aiplatform: the component image
already has google-auth and requests (google-cloud-storage needs them), while the SDK
would add tens of packages to it for four HTTP calls. The request bodies are the JSON
form of the v1 API's ``UploadModelRequest`` and ``MergeVersionAliasesRequest``;
tests/targets/test_vertex_model_registry.py parses them with the SDK's own message
types and compares them with the request ``aiplatform.Model.upload`` builds.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

log = logging.getLogger(__name__)

CHAMPION_ALIASES = ("champion", "default")
VERSION_LABEL = "kfp_studies_version"
STUDY_LABEL = "kfp_studies_study"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
UPLOAD_TIMEOUT_S = 1800.0


class VertexModelRegistryError(ConnectionError):
    """A Vertex AI Model Registry call failed; the message names the model and the cause.
    (A ConnectionError, as every other answer of a backend's API that refuses us.)"""


class Session(Protocol):
    """What the client needs of ``requests.Session`` (google-auth's ``AuthorizedSession`` is one)."""

    def request(self, method: str, url: str, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class VertexModelSettings:
    """Where versions are uploaded, from the target (``model_registry_settings`` in pipelines/vertex.py)."""

    project: str
    region: str
    serving_image: str
    endpoint: str = ""  # the API's base URL; empty: the region's public endpoint

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> VertexModelSettings | None:
        """The settings compiled into the register task; None (no upload) when it got none."""
        if not values:
            return None
        return cls(values["project"], values["region"], values["serving_image"], values.get("endpoint", ""))

    @property
    def base_url(self) -> str:
        return (self.endpoint or f"https://{self.region}-aiplatform.googleapis.com").rstrip("/") + "/v1"

    @property
    def location(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"


def model_id(study: str) -> str:
    """The Vertex model of a study: ids allow ``[a-z0-9_-]``, starting with a letter."""
    return "kfp-studies-" + re.sub(r"[^a-z0-9_-]", "-", study.lower())


def label_value(text: str) -> str:
    """``text`` as a Vertex label value: lower-case letters, digits, ``_`` and ``-``, at most 63."""
    return re.sub(r"[^a-z0-9_-]", "_", text.lower())[:63]


def upload_body(
    settings: VertexModelSettings,
    study: str,
    version: str,
    artifact_uri: str,
    card: dict,
    *,
    champion: bool,
    parent_exists: bool,
) -> dict:
    """The JSON of an ``UploadModelRequest``: a new model the first time, else a new version of it."""
    accuracy = card.get("metrics", {}).get("accuracy")
    described = f"accuracy {accuracy:.4f}, " if isinstance(accuracy, (int, float)) else ""
    model = {
        "displayName": model_id(study),
        "description": f"kfp-studies {study}: registered versions of the {study} study",
        "artifactUri": artifact_uri,
        "containerSpec": {"imageUri": settings.serving_image},
        "labels": {STUDY_LABEL: label_value(study), VERSION_LABEL: label_value(version)},
        "versionDescription": f"{version}: {described}run {card.get('run_id', '?')}",
    }
    if champion:
        model["versionAliases"] = list(CHAMPION_ALIASES)
    body: dict[str, Any] = {"model": model}
    if parent_exists:
        body["parentModel"] = f"{settings.location}/models/{model_id(study)}"
    else:
        body["modelId"] = model_id(study)
    return body


@dataclass(frozen=True)
class PublishedVersion:
    model: str  # projects/P/locations/R/models/ID
    version_id: str
    aliases: tuple[str, ...]


class VertexModels:
    """The four calls of the v1 ModelService this project makes, over ``session``."""

    def __init__(self, settings: VertexModelSettings, session: Session, poll_seconds: float = 5.0):
        self.settings = settings
        self.session = session
        self.poll_seconds = poll_seconds

    def publish(self, study: str, version: str, artifact_uri: str, card: dict, *, champion: bool) -> PublishedVersion:
        """Upload ``artifact_uri`` (a SavedModel folder) as a version of the study's model."""
        parent_exists = self._model_exists(study)
        body = upload_body(
            self.settings, study, version, artifact_uri, card, champion=champion, parent_exists=parent_exists
        )
        try:
            operation = self._call("POST", f"{self.settings.location}/models:upload", study, body)
        except _Conflict:
            # Another run created the model between our look and our upload: add a version to it.
            body = upload_body(self.settings, study, version, artifact_uri, card, champion=champion, parent_exists=True)
            operation = self._call("POST", f"{self.settings.location}/models:upload", study, body)
        response = self._wait(operation, study)
        published = PublishedVersion(
            response["model"], str(response["modelVersionId"]), tuple(body["model"].get("versionAliases", ()))
        )
        log.info(
            "uploaded %s %s to the Vertex AI Model Registry as %s@%s%s",
            study,
            version,
            published.model,
            published.version_id,
            f" (aliases {', '.join(published.aliases)})" if published.aliases else "",
        )
        return published

    def make_champion(self, study: str, version: str) -> PublishedVersion:
        """Move the champion aliases to the Vertex version uploaded for registry ``version``."""
        name = f"{self.settings.location}/models/{model_id(study)}"
        query = quote(f'labels.{VERSION_LABEL}="{label_value(version)}"')
        found = self._call("GET", f"{name}:listVersions?filter={query}", study).get("models", [])
        if not found:
            raise VertexModelRegistryError(
                f"Vertex AI Model Registry: {name} has no version labelled {VERSION_LABEL}={label_value(version)} "
                f"(was {study} {version} registered on a vertex target?)"
            )
        version_id = str(found[0]["versionId"])
        body = {"versionAliases": list(CHAMPION_ALIASES)}
        self._call("POST", f"{name}@{version_id}:mergeVersionAliases", study, body)
        log.info("Vertex AI Model Registry: %s@%s is now the champion", name, version_id)
        return PublishedVersion(name, version_id, CHAMPION_ALIASES)

    # ---- plumbing ----
    def _model_exists(self, study: str) -> bool:
        try:
            self._call("GET", f"{self.settings.location}/models/{model_id(study)}", study)
        except _NotFound:
            return False
        return True

    def _wait(self, operation: dict, study: str) -> dict:
        deadline = time.monotonic() + UPLOAD_TIMEOUT_S
        while not operation.get("done"):
            if time.monotonic() > deadline:
                raise VertexModelRegistryError(
                    f"Vertex AI Model Registry: uploading {model_id(study)} did not finish in "
                    f"{UPLOAD_TIMEOUT_S:.0f} s (operation {operation.get('name')})"
                )
            time.sleep(self.poll_seconds)
            operation = self._call("GET", operation["name"], study)
        if "error" in operation:
            error = operation["error"]
            raise VertexModelRegistryError(
                f"Vertex AI Model Registry: uploading {model_id(study)} failed: "
                f"{error.get('message', error)} (operation {operation.get('name')})"
            )
        return operation["response"]

    def _call(self, method: str, path: str, study: str, body: dict | None = None) -> dict:
        url = f"{self.settings.base_url}/{path}"
        response = self.session.request(method, url, json=body, timeout=60)
        if response.status_code == 404 and method == "GET":
            raise _NotFound(url)
        if response.status_code == 409:
            raise _Conflict(url)
        if response.status_code >= 400:
            hint = (
                " (the pipeline's service account needs roles/aiplatform.user on the project)"
                if response.status_code == 403
                else ""
            )
            raise VertexModelRegistryError(
                f"Vertex AI Model Registry: {method} {url} for {model_id(study)} answered "
                f"{response.status_code}: {_message(response)}{hint}"
            )
        return response.json() if response.content else {}


class _NotFound(Exception):
    pass


class _Conflict(Exception):
    pass


def _message(response: Any) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


def authorized_session() -> Session:
    """A session with the environment's Application Default Credentials (the run's service account)."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    credentials, _ = google.auth.default(scopes=[SCOPE])
    return AuthorizedSession(credentials)
