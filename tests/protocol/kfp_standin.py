"""A stand-in for the Kubeflow Pipelines v2beta1 REST API, on loopback, for protocol tests.

It answers the calls ``kfp.Client`` makes to submit and schedule runs, and
records every request (method, path, query, JSON body) so tests can assert on
what the real client sent. It runs nothing and keeps everything in memory, but
where the 2.17.0 API server has a rule the client can trip over, the stand-in
has it too (each rule's test names the upstream file, at tag 2.17.0):

- request bodies are read as protojson with ``DiscardUnknown: false``: a field
  the message does not have is refused with 400
  (backend/src/apiserver/common/utils.go, ``CustomMarshaler``);
- responses are written with ``UseProtoNames: true, EmitUnpopulated: false``:
  snake_case names, and false, zero, empty and unset fields left out
  (the same file); int64 fields are JSON strings (protojson);
- a recurring run's ``max_concurrency`` must be in [1, 10]
  (backend/src/apiserver/server/api_converter.go).

    with KfpStandIn(run_states=["RUNNING", "SUCCEEDED"]) as api:
        kfp.Client(host=api.url) ...
        api.requests_to("POST", "/runs")
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NoReturn
from urllib.parse import parse_qs, urlsplit

PREFIX = "/apis/v2beta1"

# The fields of the v2beta1 messages the stand-in reads and writes, as in the 2.17.0 protos
# (backend/api/v2beta1/{experiment,run,recurring_run,runtime_config,healthz}.proto), by kind:
# a scalar kind, "enum", "timestamp", "struct" (a message the stand-in passes through as
# JSON: Struct, Status, RunDetails), "map"/"list" (passed through, left out when empty),
# or the name of another message here.
MESSAGES: dict[str, dict[str, str]] = {
    "Experiment": {
        "experiment_id": "string",
        "display_name": "string",
        "description": "string",
        "created_at": "timestamp",
        "namespace": "string",
        "storage_state": "enum",
        "last_run_created_at": "timestamp",
    },
    "Run": {
        "experiment_id": "string",
        "run_id": "string",
        "display_name": "string",
        "storage_state": "enum",
        "description": "string",
        "pipeline_version_id": "string",
        "pipeline_spec": "struct",
        "pipeline_version_reference": "PipelineVersionReference",
        "runtime_config": "RuntimeConfig",
        "service_account": "string",
        "created_at": "timestamp",
        "scheduled_at": "timestamp",
        "finished_at": "timestamp",
        "state": "enum",
        "error": "struct",
        "run_details": "struct",
        "recurring_run_id": "string",
        "state_history": "list",
        "plugins_input": "map",
        "plugins_output": "map",
    },
    "RecurringRun": {
        "recurring_run_id": "string",
        "display_name": "string",
        "description": "string",
        "pipeline_version_id": "string",
        "pipeline_spec": "struct",
        "pipeline_version_reference": "PipelineVersionReference",
        "runtime_config": "RuntimeConfig",
        "service_account": "string",
        "max_concurrency": "int64",
        "trigger": "Trigger",
        "mode": "enum",
        "created_at": "timestamp",
        "updated_at": "timestamp",
        "status": "enum",
        "error": "struct",
        "no_catchup": "bool",
        "namespace": "string",
        "experiment_id": "string",
        "plugins_input": "map",
    },
    "PipelineVersionReference": {"pipeline_id": "string", "pipeline_version_id": "string"},
    "RuntimeConfig": {"parameters": "map", "pipeline_root": "string"},
    "Trigger": {"cron_schedule": "CronSchedule", "periodic_schedule": "PeriodicSchedule"},
    "CronSchedule": {"start_time": "timestamp", "end_time": "timestamp", "cron": "string"},
    "PeriodicSchedule": {"start_time": "timestamp", "end_time": "timestamp", "interval_second": "int64"},
    "ListExperimentsResponse": {"experiments": "Experiment[]", "total_size": "int32", "next_page_token": "string"},
    # The proto field really is camelCase here (unlike the other lists), so UseProtoNames keeps it.
    "ListRecurringRunsResponse": {
        "recurringRuns": "RecurringRun[]",
        "total_size": "int32",
        "next_page_token": "string",
    },
    "GetHealthzResponse": {"multi_user": "bool", "pipeline_store": "string"},
    "Empty": {},
}
SCALARS = {"string": str, "int64": int, "int32": int, "bool": bool}
# gRPC status codes the API answers with, and their HTTP statuses (grpc-gateway's mapping).
INVALID_ARGUMENT, NOT_FOUND = (3, 400), (5, 404)


class ApiError(Exception):
    """An error answer of the API: an HTTP status and a google.rpc.Status body."""

    def __init__(self, status: tuple[int, int], message: str):
        super().__init__(message)
        self.code, self.http_status = status


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the /apis/v2beta1 prefix
    query: dict  # name -> first value
    body: dict | None  # parsed JSON, if any


def _json_name(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def decode(message: str, body) -> dict:
    """A request body as protojson reads it with DiscardUnknown false: proto or JSON (lowerCamelCase)
    names, an unknown field refused. Returns the message keyed by proto names, ints as ints."""
    if not isinstance(body, dict):
        raise ApiError(INVALID_ARGUMENT, f"proto: syntax error: {message} must be a JSON object")
    fields = MESSAGES[message]
    by_json_name = {_json_name(name): name for name in fields}
    decoded = {}
    for key, value in body.items():
        name = key if key in fields else by_json_name.get(key)
        if name is None:
            raise ApiError(INVALID_ARGUMENT, f'proto: (line 1:1): unknown field "{key}"')
        if value is not None:
            decoded[name] = _decode_value(f"{message}.{name}", fields[name], value)
    return decoded


def _decode_value(where: str, kind: str, value):
    if kind in MESSAGES:
        return decode(kind, value)
    if kind in ("int64", "int32"):  # protojson takes a number or a numeric string
        if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
            _bad(where, value)
        return int(value)
    if kind in ("string", "bool") and not isinstance(value, SCALARS[kind]):
        _bad(where, value)
    return value


def _bad(where: str, value) -> NoReturn:
    raise ApiError(INVALID_ARGUMENT, f"proto: invalid value for {where}: {json.dumps(value)}")


def encode(message: str, obj: dict) -> dict:
    """A response as the server writes it: proto names, false/zero/empty/unset fields left out, int64 as strings."""
    out: dict[str, object] = {}
    for name, kind in MESSAGES[message].items():
        value = obj.get(name)
        if value is None or (kind != "struct" and value in ("", 0, False, {}, [])):
            continue
        if kind == "enum" and str(value).endswith("_UNSPECIFIED"):
            continue
        if kind.endswith("[]"):
            out[name] = [encode(kind[:-2], item) for item in value]
        elif kind in MESSAGES:
            out[name] = encode(kind, value)
        else:
            out[name] = str(value) if kind == "int64" else value
    return out


class KfpStandIn:
    def __init__(self, run_states=("RUNNING", "SUCCEEDED")):
        """``run_states``: what successive ``GET /runs/{id}`` answer for every run (the last one repeats)."""
        self.run_states = list(run_states)
        self.requests: list[Request] = []
        self.experiments: dict[str, dict] = {}
        self.runs: dict[str, dict] = {}
        self.recurring_runs: dict[str, dict] = {}
        self._polls: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> KfpStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def requests_to(self, method: str, path: str) -> list[Request]:
        """Recorded requests with this method whose path (after /apis/v2beta1) starts with ``path``."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path)]

    # --- the API -------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        """The HTTP status and JSON body of the answer to one request (recorded first)."""
        with self._lock:
            self.requests.append(Request(method, path, query, body))
            parts = path.strip("/").split("/")
            resource, rest = parts[0], parts[1:]
            try:
                if method == "GET" and resource == "healthz":
                    return 200, encode("GetHealthzResponse", {"multi_user": False, "pipeline_store": "database"})
                if resource == "experiments":
                    return 200, self._experiments(method, rest, query, body)
                if resource == "runs":
                    return 200, self._runs(method, rest, body)
                if resource == "recurringruns":
                    return 200, self._recurring_runs(method, rest, body)
                raise ApiError(NOT_FOUND, f"no such endpoint: {method} {path}")
            except ApiError as error:
                return error.http_status, {"code": error.code, "message": str(error)}

    def _new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def _experiments(self, method, rest, query, body) -> dict:
        if method == "POST" and not rest:
            experiment = {
                **decode("Experiment", body),
                "experiment_id": self._new_id("experiment"),
                "storage_state": "AVAILABLE",
            }
            self.experiments[experiment["experiment_id"]] = experiment
            return encode("Experiment", experiment)
        if method == "GET" and not rest:
            wanted = [
                p.get("string_value", p.get("stringValue"))
                for p in json.loads(query.get("filter") or "{}").get("predicates", [])
                if p.get("key") == "display_name"
            ]
            found = [e for e in self.experiments.values() if not wanted or e.get("display_name") in wanted]
            return encode("ListExperimentsResponse", {"experiments": found, "total_size": len(found)})
        if method == "GET" and rest and rest[0] in self.experiments:
            return encode("Experiment", self.experiments[rest[0]])
        raise ApiError(NOT_FOUND, "experiment not found")

    def _runs(self, method, rest, body) -> dict:
        if method == "POST" and not rest:
            run = {**decode("Run", body), "run_id": self._new_id("run"), "state": "PENDING"}
            self.runs[run["run_id"]] = run
            return encode("Run", run)
        if method == "GET" and rest and rest[0] in self.runs:
            n = self._polls[rest[0]] = self._polls.get(rest[0], -1) + 1
            state = self.run_states[min(n, len(self.run_states) - 1)]
            return encode("Run", {**self.runs[rest[0]], "state": state})
        raise ApiError(NOT_FOUND, "run not found")

    def _recurring_runs(self, method, rest, body) -> dict:
        if method == "POST" and not rest:
            return encode("RecurringRun", self._create_recurring_run(decode("RecurringRun", body)))
        if method == "GET" and not rest:
            found = list(self.recurring_runs.values())
            return encode("ListRecurringRunsResponse", {"recurringRuns": found, "total_size": len(found)})
        name, _, verb = (rest[0] if rest else "").partition(":")
        if name not in self.recurring_runs:
            raise ApiError(NOT_FOUND, "recurring run not found")
        if method == "GET" and not verb:
            return encode("RecurringRun", self.recurring_runs[name])
        if method == "POST" and verb in ("enable", "disable"):
            enabled = verb == "enable"
            self.recurring_runs[name].update(
                mode="ENABLE" if enabled else "DISABLE", status="ENABLED" if enabled else "DISABLED"
            )
            return encode("Empty", {})
        if method == "DELETE" and not verb:
            del self.recurring_runs[name]
            return encode("Empty", {})
        raise ApiError(NOT_FOUND, f"no such endpoint: {method} {rest}")

    def _create_recurring_run(self, recurring: dict) -> dict:
        concurrency = recurring.get("max_concurrency", 0)
        if not 1 <= concurrency <= 10:
            raise ApiError(
                INVALID_ARGUMENT,
                f"Max concurrency of a recurring run must be at least 1 and at most 10. Received {concurrency}",
            )
        recurring = {
            **recurring,
            "recurring_run_id": self._new_id("recurring"),
            "status": "ENABLED" if recurring.get("mode") == "ENABLE" else "DISABLED",
        }
        self.recurring_runs[recurring["recurring_run_id"]] = recurring
        return recurring


def run_spec(body: dict) -> tuple[dict, dict]:
    """The pipeline spec and the platform spec of a create-run or create-recurring-run body."""
    spec = body["pipeline_spec"]
    if "pipeline_spec" in spec:  # kfp nests both when the package has a platform spec
        return spec["pipeline_spec"], spec.get("platform_spec", {})
    return spec, {}


def _handler(api: KfpStandIn):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            if not url.path.startswith(PREFIX):
                status, answer = 404, {"error": f"not an API path: {url.path}", "code": 5}
            else:
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, answer = api.answer(self.command, url.path[len(PREFIX) :], query, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args):  # keep test output clean
            pass

    return Handler
