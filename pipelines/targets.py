"""Where a pipeline runs: its backend, image, storage and per-task settings.

A target is explicit configuration handed to the compiler and to ``submit``
and ``schedule``. Named targets live in a TOML file (``pipelines/targets.toml``
ships local, kind, kfp and vertex examples; see docs/targets.md).

Nothing here reads the environment at import time: the targets file is found
(``--targets``, else ``$KFP_STUDIES_TARGETS``, else the packaged file) and
read when a command asks for a target. A missing or invalid field is a
:class:`TargetError` that names the target and the field. Credentials never
belong in a target: they would be written into the compiled pipeline.
Kubernetes secrets are referenced by name (``secret_env``) instead.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import NoReturn

from components.adapters import DEFAULT_IMAGE
from components.names import did_you_mean

BACKENDS = ("local", "kfp", "vertex")
TARGETS_ENV = "KFP_STUDIES_TARGETS"


class TargetError(ValueError):
    """A target that is missing, or has a missing or invalid field (the message names it)."""


@dataclass(frozen=True)
class Target:
    name: str
    # "local" (kfp.local on this machine), "kfp" (a Kubeflow Pipelines API) or "vertex" (Vertex AI Pipelines).
    backend: str = "local"
    image: str = DEFAULT_IMAGE
    pipeline_root: str = ""
    registry_uri: str = ""
    # Run scratch space on object storage: cross-validation scores, training checkpoints.
    work_uri: str = ""
    # How many cross-validation folds train at once (0: as many as the cluster allows).
    cv_parallelism: int = 0
    caching: bool = True
    # KFP resource name (e.g. "nvidia.com/gpu") or a Vertex accelerator enum (e.g. "NVIDIA_TESLA_T4").
    gpu_type: str = ""
    gpu_count: int = 0
    # Retries of a training step that failed (e.g. its spot node was preempted), with exponential
    # backoff from 1 minute; the retried task resumes from its last epoch checkpoint.
    retries: int = 3
    # Limits of the training steps (Vertex picks the machine from them), e.g. "8" and "32G".
    cpu_limit: str = ""
    memory_limit: str = ""
    # Kubernetes scheduling of the training steps (kfp targets): node labels and tolerations.
    node_selector: dict = field(default_factory=dict)
    tolerations: tuple = ()
    # Kubernetes service account (kfp) or Google service-account e-mail (vertex) the run acts as.
    service_account: str = ""
    # Plain environment variables for every step (never credentials).
    env: dict = field(default_factory=dict)
    # Kubernetes secrets exposed to every step as environment variables: {secret: {key: ENV_VAR}}.
    secret_env: dict = field(default_factory=dict)
    # kfp: the API endpoint, the namespace (multi-user installs), and the name of an
    # environment variable holding a bearer token (read when submitting, never stored).
    host: str = ""
    namespace: str = ""
    token_env: str = ""
    # vertex: the Google Cloud project and region.
    project: str = ""
    region: str = ""
    # vertex: the prediction container registered versions are uploaded to the Vertex AI Model
    # Registry with (empty: the newest prebuilt TensorFlow CPU container for the region).
    serving_image: str = ""
    # Default experiment of submitted and scheduled runs.
    experiment: str = ""
    # kfp: the time zone the cluster's scheduler fires recurring runs in
    # (pipeline-install-config's cronScheduleTimezone, UTC by default).
    schedule_timezone: str = "UTC"


FIELDS = {f.name: f for f in dataclasses.fields(Target)}

LOCAL = Target(
    name="local",
    pipeline_root="./out/pipeline-root",
    registry_uri="./out/registry",
    work_uri="./out/work",
    caching=False,
)


# --- the targets file ------------------------------------------------------------------------


def targets_path(path: str | None = None) -> str:
    """The targets file: ``path``, else ``$KFP_STUDIES_TARGETS``, else the packaged one (read at call time)."""
    if path:
        return path
    if os.environ.get(TARGETS_ENV):
        return os.environ[TARGETS_ENV]
    return str(resources.files("pipelines") / "targets.toml")


def load_tables(path: str | None = None) -> tuple[str, dict[str, dict]]:
    """The raw ``[targets.NAME]`` tables of the targets file, and its path."""
    path = targets_path(path)
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except FileNotFoundError:
        raise TargetError(f"targets file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"{path}: not valid TOML: {exc}") from None
    extra = sorted(set(document) - {"targets"})
    if extra:
        raise TargetError(f"{path}: unknown top-level key(s) {', '.join(extra)}; targets go in [targets.NAME] tables")
    tables = document.get("targets", {})
    if not isinstance(tables, dict) or not tables:
        raise TargetError(f"{path}: no targets: define them as [targets.NAME] tables")
    return path, tables


def target_names(path: str | None = None) -> list[str]:
    return list(load_tables(path)[1])


def get_target(name: str = "local", path: str | None = None, overrides: dict[str, str] | None = None) -> Target:
    """The named target from the targets file, with ``overrides`` (``field`` or
    ``field.key`` -> value text, as given to ``--set target.FIELD=VALUE``) applied."""
    source, tables = load_tables(path)
    if name not in tables:
        hint = did_you_mean(name, tables)
        raise TargetError(f"no target {name!r} in {source}{hint}; known: {', '.join(tables)}")
    if not isinstance(tables[name], dict):
        raise TargetError(f"{source}: targets.{name} must be a table")
    table = dict(tables[name])
    for key, text in (overrides or {}).items():
        _override(table, key, text, f"target {name!r}")
    return from_table(name, table, source)


def from_table(name: str, table: dict, source: str = "<table>") -> Target:
    """A validated :class:`Target` from one raw table."""
    where = f"target {name!r} ({source})"
    unknown = sorted(set(table) - set(FIELDS) - {"name"})
    if unknown:
        raise TargetError(
            f"{where}: unknown field {unknown[0]!r}{did_you_mean(unknown[0], FIELDS)}; "
            f"fields: {', '.join(f for f in FIELDS if f != 'name')}"
        )
    values = {key: _typed(where, key, value) for key, value in table.items() if key != "name"}
    target = Target(name=name, **values)
    validate(target, where)
    return target


# --- --set target.FIELD=VALUE --------------------------------------------------------------------


def split_assignments(assignments: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """``--set`` assignments split into target overrides (``target.`` prefix removed) and the rest."""
    target, rest = {}, {}
    for key, value in assignments.items():
        if key.startswith("target."):
            target[key[len("target.") :]] = value
        else:
            rest[key] = value
    return target, rest


def _override(table: dict, key: str, text: str, where: str) -> None:
    name, _, sub = key.partition(".")
    if name not in FIELDS or name == "name":
        raise TargetError(f"{where}: --set target.{key}: unknown field {name!r}{did_you_mean(name, FIELDS)}")
    if sub:
        if FIELDS[name].type not in ("dict",):
            raise TargetError(f"{where}: --set target.{key}: {name} is not a table; set it as a whole")
        inner = dict(table.get(name) or {})
        inner[sub] = _parse_value(text, as_text=name != "secret_env")
        table[name] = inner
    else:
        table[name] = _parse_value(text, as_text=FIELDS[name].type == "str")


def _parse_value(text: str, as_text: bool = False):
    """A TOML value (number, true/false, "string", [array], {inline = "table"}); otherwise the text itself.
    ``as_text``: for string fields, the text as given (a quoted TOML string is unquoted)."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    return text if as_text and not isinstance(value, str) else value


# --- types and validation ------------------------------------------------------------------------


def _typed(where: str, key: str, value):
    kind = FIELDS[key].type
    label = f"{where}: {key}"
    if kind == "str":
        if not isinstance(value, str):
            raise TargetError(f"{label}: must be a string, got {value!r}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TargetError(f"{label}: must be an integer, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise TargetError(f"{label}: must be true or false, got {value!r}")
        return value
    if key == "secret_env":
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise TargetError(f'{label}: must be a table of secret name -> {{key = "ENV_VAR"}}, got {value!r}')
        return {s: _str_table(f"{label}.{s}", keys) for s, keys in value.items()}
    if kind == "dict":
        return _str_table(label, value)
    if key == "tolerations":
        if not isinstance(value, (list, tuple)) or not all(isinstance(t, dict) for t in value):
            raise TargetError(
                f"{label}: must be an array of tables like "
                f'{{key = "nvidia.com/gpu", operator = "Exists", effect = "NoSchedule"}}'
            )
        return tuple(dict(t) for t in value)
    raise AssertionError(f"unhandled field type {kind} of {key}")


def _str_table(label: str, value) -> dict:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TargetError(f"{label}: must be a table of strings, got {value!r}")
    return dict(value)


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CREDENTIAL = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|API_KEY|AUTH", re.I)
_K8S_RESOURCE = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$")
_VERTEX_ACCELERATOR = re.compile(r"^[A-Z][A-Z0-9_]*$")
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$")
_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(E|P|T|G|M|K|Ei|Pi|Ti|Gi|Mi|Ki)?$")
_REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")
_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@]*@", re.I)
OBJECT_STORES = {"kfp": ("gs://", "s3://", "minio://"), "vertex": ("gs://",)}
TOLERATION_KEYS = {"key", "operator", "value", "effect", "toleration_seconds"}


Fail = Callable[[str, str], NoReturn]


def validate(target: Target, where: str | None = None) -> None:
    """Structural checks that hold whatever the command; raises :class:`TargetError` naming the field."""
    where = where or f"target {target.name!r}"

    def fail(key: str, message: str) -> NoReturn:
        raise TargetError(f"{where}: {key}: {message}")

    for check in CHECKS:
        check(target, fail)


def _check_identity(target: Target, fail: Fail) -> None:
    if not target.name:
        fail("name", "must not be empty")
    if target.backend not in BACKENDS:
        fail("backend", f"must be one of {', '.join(BACKENDS)}, got {target.backend!r}")


def _check_image(target: Target, fail: Fail) -> None:
    """A cluster run must say which code it ran: an explicit tag, never ``latest``."""
    if not target.image or any(c.isspace() for c in target.image):
        fail("image", f"must be an image reference like registry/kfp-studies:TAG, got {target.image!r}")
    if target.backend != "local" and not _pinned(target.image):
        fail(
            "image",
            f"{target.image!r} has no tag or has ':latest'; give an explicit tag (make image-tag prints it) "
            "so every run says which code it ran",
        )


def _check_no_userinfo(target: Target, fail: Fail) -> None:
    """URIs are compiled into the pipeline: ``user:password@`` would publish the password."""
    for key in ("pipeline_root", "registry_uri", "work_uri", "host"):
        if _USERINFO.match(getattr(target, key)):
            fail(key, "must not carry credentials (user:password@); they would be written into the pipeline")


def _check_shared_storage(target: Target, fail: Fail) -> None:
    """Steps of a cluster run share no filesystem: the registry and work space are object storage."""
    for key in ("registry_uri", "work_uri"):
        uri = getattr(target, key)
        if not uri:
            fail(key, "is required")
        if target.backend != "local" and not uri.startswith(OBJECT_STORES[target.backend]):
            fail(
                key,
                f"must be on object storage ({', '.join(OBJECT_STORES[target.backend])}) for a "
                f"{target.backend} target: steps do not share a filesystem; got {uri!r}",
            )


def _check_pipeline_root(target: Target, fail: Fail) -> None:
    root = target.pipeline_root
    if target.backend == "local" and "://" in root and not root.startswith("file://"):
        fail("pipeline_root", f"a local target keeps its outputs on this machine: give a folder, got {root!r}")
    if target.backend == "kfp" and root and not root.startswith(OBJECT_STORES["kfp"]):
        fail(
            "pipeline_root",
            f"must start with gs://, s3:// or minio:// (or be empty for the cluster's default), got {root!r}",
        )
    if target.backend == "vertex" and not root.startswith("gs://"):
        fail("pipeline_root", f"Vertex AI needs a gs:// pipeline root, got {root!r}")


def _check_counts(target: Target, fail: Fail) -> None:
    if target.cv_parallelism < 0:
        fail("cv_parallelism", "must be 0 (no limit) or more")
    if target.gpu_count < 0:
        fail("gpu_count", "must be 0 or more")
    if target.retries < 0:
        fail("retries", "must be 0 or more")


def _check_accelerator(target: Target, fail: Fail) -> None:
    """A GPU type and count come together, the type in the backend's own form."""
    if target.gpu_count and not target.gpu_type:
        fail("gpu_type", f"is required when gpu_count is {target.gpu_count}")
    if target.gpu_type and not target.gpu_count:
        fail("gpu_count", f"must be 1 or more when gpu_type is {target.gpu_type!r} (or leave gpu_type empty)")
    if not target.gpu_type:
        return
    if target.backend == "vertex" and not _VERTEX_ACCELERATOR.match(target.gpu_type):
        fail(
            "gpu_type",
            f"Vertex AI takes an accelerator enum such as NVIDIA_TESLA_T4 or NVIDIA_L4, got {target.gpu_type!r}",
        )
    if target.backend != "vertex" and not _K8S_RESOURCE.match(target.gpu_type):
        fail("gpu_type", f"Kubernetes takes an extended resource name such as nvidia.com/gpu, got {target.gpu_type!r}")


def _check_limits(target: Target, fail: Fail) -> None:
    if target.cpu_limit and not _CPU.match(target.cpu_limit):
        fail("cpu_limit", f"must be a CPU count like '8', '0.5' or '500m', got {target.cpu_limit!r}")
    if target.memory_limit and not _MEMORY.match(target.memory_limit):
        fail("memory_limit", f"must be a size like '32G' or '16Gi', got {target.memory_limit!r}")


def _check_kubernetes_only(target: Target, fail: Fail) -> None:
    """Node placement and secrets exist only where the steps are Kubernetes pods."""
    for key in ("node_selector", "tolerations", "secret_env"):
        if getattr(target, key) and target.backend != "kfp":
            fail(
                key,
                f"only kfp targets run on Kubernetes; a {target.backend} target cannot use it"
                + (" (the accelerator type picks the machine on Vertex AI)" if target.backend == "vertex" else ""),
            )
    for label in target.node_selector:
        if not _LABEL_KEY.match(label):
            fail("node_selector", f"{label!r} is not a Kubernetes label key")


def _check_tolerations(target: Target, fail: Fail) -> None:
    """Each toleration as the Kubernetes API would accept it."""
    for i, toleration in enumerate(target.tolerations):
        extra = sorted(set(toleration) - TOLERATION_KEYS)
        if extra:
            fail(f"tolerations[{i}]", f"unknown key {extra[0]!r}; keys: {', '.join(sorted(TOLERATION_KEYS))}")
        operator = toleration.get("operator", "Equal")
        if operator not in ("Equal", "Exists"):
            fail(f"tolerations[{i}].operator", f"must be Equal or Exists, got {operator!r}")
        if toleration.get("effect", "") not in ("", "NoSchedule", "PreferNoSchedule", "NoExecute"):
            fail(
                f"tolerations[{i}].effect",
                f"must be NoSchedule, PreferNoSchedule or NoExecute, got {toleration['effect']!r}",
            )
        if operator == "Exists" and toleration.get("value"):
            fail(f"tolerations[{i}].value", "must be empty when operator is Exists")
        if not toleration.get("key") and operator != "Exists":
            fail(f"tolerations[{i}].key", "is required unless operator is Exists")
        for k, v in toleration.items():
            if k == "toleration_seconds" and (isinstance(v, bool) or not isinstance(v, int)):
                fail(f"tolerations[{i}].{k}", f"must be an integer, got {v!r}")
            if k != "toleration_seconds" and not isinstance(v, str):
                fail(f"tolerations[{i}].{k}", f"must be a string, got {v!r}")


def _check_env(target: Target, fail: Fail) -> None:
    """Plain variables only: ``env`` is written into the compiled pipeline."""
    for name in target.env:
        if not _ENV_NAME.match(name):
            fail(f"env.{name}", "is not a valid environment variable name")
        if _CREDENTIAL.search(name):
            fail(
                f"env.{name}",
                "looks like a credential; credentials are never written into a compiled pipeline: "
                "reference a Kubernetes secret with secret_env (kfp) or use the run's service "
                "account (vertex)",
            )


def _check_secret_env(target: Target, fail: Fail) -> None:
    for secret, keys in target.secret_env.items():
        if not _K8S_NAME.match(secret):
            fail(f"secret_env.{secret}", "is not a Kubernetes secret name")
        for key, env_name in keys.items():
            if not _ENV_NAME.match(env_name):
                fail(f"secret_env.{secret}.{key}", f"{env_name!r} is not a valid environment variable name")


def _check_connection(target: Target, fail: Fail) -> None:
    """How the backend is reached and whom the run acts as, each in its backend's form."""
    if target.host and not target.host.startswith(("http://", "https://")):
        fail("host", f"must start with http:// or https://, got {target.host!r}")
    if target.token_env and not _ENV_NAME.match(target.token_env):
        fail("token_env", f"must name an environment variable, got {target.token_env!r}")
    if target.backend == "kfp" and target.service_account and not _K8S_NAME.match(target.service_account):
        fail("service_account", f"must be a Kubernetes service account name, got {target.service_account!r}")
    if target.backend == "vertex" and target.service_account and "@" not in target.service_account:
        fail("service_account", f"must be a service-account e-mail, got {target.service_account!r}")
    if target.region and not _REGION.match(target.region):
        fail("region", f"must be a Google Cloud region like europe-west4, got {target.region!r}")


def _check_backend_fields(target: Target, fail: Fail) -> None:
    """A field of another backend is a mistake (a target copied from another), not something to ignore."""
    for key in ("host", "namespace", "token_env"):
        if getattr(target, key) and target.backend != "kfp":
            fail(key, f"is a kfp setting; a {target.backend} target does not use it")
    for key in ("project", "region", "serving_image"):
        if getattr(target, key) and target.backend != "vertex":
            fail(key, f"is a vertex setting; a {target.backend} target does not use it")


def _check_timezone(target: Target, fail: Fail) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(target.schedule_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("schedule_timezone", f"{target.schedule_timezone!r} is not an IANA time zone (e.g. UTC, Europe/Paris)")


# In this order: the first failing check names the field.
CHECKS: tuple[Callable[[Target, Fail], None], ...] = (
    _check_identity,
    _check_image,
    _check_no_userinfo,
    _check_shared_storage,
    _check_pipeline_root,
    _check_counts,
    _check_accelerator,
    _check_limits,
    _check_kubernetes_only,
    _check_tolerations,
    _check_env,
    _check_secret_env,
    _check_connection,
    _check_backend_fields,
    _check_timezone,
)


def require(target: Target, action: str, *keys: str) -> None:
    """Fields ``action`` needs (e.g. the KFP host to submit); a missing one is an error naming it."""
    for key in keys:
        if not getattr(target, key):
            raise TargetError(
                f"target {target.name!r}: {key}: required to {action}; set it in the targets file "
                f"or with --set target.{key}=..."
            )


def _pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in ("", "latest")
