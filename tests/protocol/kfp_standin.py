"""A stand-in for the Kubeflow Pipelines v2beta1 REST API, on loopback, for protocol tests.

It answers the calls ``kfp.Client`` makes to submit and schedule runs with
minimal valid JSON, and records every request (method, path, query, JSON
body) so tests can assert on what the real client sent. It is not KFP: it
runs nothing, validates nothing, and keeps everything in memory.

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
from urllib.parse import parse_qs, urlsplit

PREFIX = "/apis/v2beta1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the /apis/v2beta1 prefix
    query: dict  # name -> first value
    body: dict | None  # parsed JSON, if any


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
        return f"http://{host}:{port}"

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
        with self._lock:
            self.requests.append(Request(method, path, query, body))
            parts = path.strip("/").split("/")
            resource, rest = parts[0], parts[1:]
            if method == "GET" and resource == "healthz":
                return 200, {"multi_user": False, "pipeline_store": "database"}
            if resource == "experiments":
                return self._experiments(method, rest, query, body)
            if resource == "runs":
                return self._runs(method, rest, body)
            if resource == "recurringruns":
                return self._recurring_runs(method, rest, body)
            return 404, {"error": f"no such endpoint: {method} {path}", "code": 5}

    def _new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def _experiments(self, method, rest, query, body):
        if method == "POST" and not rest:
            experiment = {**body, "experiment_id": self._new_id("experiment"), "storage_state": "AVAILABLE"}
            self.experiments[experiment["experiment_id"]] = experiment
            return 200, experiment
        if method == "GET" and not rest:
            wanted = [
                p.get("string_value", p.get("stringValue"))
                for p in json.loads(query.get("filter") or "{}").get("predicates", [])
                if p.get("key") == "display_name"
            ]
            found = [e for e in self.experiments.values() if not wanted or e.get("display_name") in wanted]
            return 200, ({"experiments": found, "total_size": len(found)} if found else {})
        if method == "GET" and rest and rest[0] in self.experiments:
            return 200, self.experiments[rest[0]]
        return 404, {"error": "experiment not found", "code": 5}

    def _runs(self, method, rest, body):
        if method == "POST" and not rest:
            run = {**body, "run_id": self._new_id("run"), "state": "PENDING"}
            self.runs[run["run_id"]] = run
            return 200, run
        if method == "GET" and rest and rest[0] in self.runs:
            n = self._polls[rest[0]] = self._polls.get(rest[0], -1) + 1
            state = self.run_states[min(n, len(self.run_states) - 1)]
            return 200, {**self.runs[rest[0]], "state": state}
        return 404, {"error": "run not found", "code": 5}

    def _recurring_runs(self, method, rest, body):
        if method == "POST" and not rest:
            recurring = {
                **body,
                "recurring_run_id": self._new_id("recurring"),
                "status": "ENABLED" if body.get("mode") == "ENABLE" else "DISABLED",
            }
            self.recurring_runs[recurring["recurring_run_id"]] = recurring
            return 200, recurring
        if method == "GET" and not rest:
            # The v2beta1 list answer really is camelCase here (unlike the other lists).
            found = list(self.recurring_runs.values())
            return 200, {"recurringRuns": found, "total_size": len(found)}
        name, _, verb = (rest[0] if rest else "").partition(":")
        if name not in self.recurring_runs:
            return 404, {"error": "recurring run not found", "code": 5}
        if method == "GET" and not verb:
            return 200, self.recurring_runs[name]
        if method == "POST" and verb in ("enable", "disable"):
            self.recurring_runs[name]["mode"] = verb.upper()
            return 200, {}
        if method == "DELETE" and not verb:
            del self.recurring_runs[name]
            return 200, {}
        return 404, {"error": f"no such endpoint: {method} {rest}", "code": 5}


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
