"""The cpu image built by ``make image``: user, contents, hygiene, tag."""

import base64
import hashlib
import importlib.metadata
import json
import os
import re
import stat
import subprocess
import tarfile
import tomllib
from pathlib import Path

import pytest
from podman import REPO, image_tag, podman

HOST_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
PUBLIC_CAS = Path("/usr/share/ca-certificates/mozilla")
LOCAL_CAS = Path("/usr/local/share/ca-certificates")


def run_in(image: str, *command: str) -> str:
    out = podman("run", "--rm", "--network=none", image, *command, check=False)
    assert out.returncode == 0, f"{command} failed in {image}:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return out.stdout


def inspect(image: str) -> dict:
    return json.loads(podman("image", "inspect", image).stdout)[0]


@pytest.mark.container
def test_runs_as_a_non_root_user(image):
    assert inspect(image)["Config"]["User"] == "1000:1000", "numeric, so Kubernetes runAsNonRoot can check it"
    uid, gid, home = run_in(image, "sh", "-c", 'id -u; id -g; echo "$HOME"').split()
    assert (uid, gid) == ("1000", "1000")
    assert home == "/home/kfp"
    # Where the KFP launcher stages gs:// s3:// minio:// artifacts: writable by that user.
    run_in(image, "sh", "-c", "for d in /gcs /s3 /minio; do touch $d/probe; done")


@pytest.mark.container
def test_the_project_and_its_runtime_import(image):
    out = run_in(
        image,
        "python",
        "-c",
        "import components, pipelines, kfp, tensorflow as tf; print(kfp.__version__, tf.__version__)",
    )
    kfp_version, tf_version = out.split()[-2:]
    lock = (REPO / "docker" / "requirements-cpu.lock").read_text()
    assert f"\nkfp=={kfp_version} " in lock and f"\ntensorflow-cpu=={tf_version} " in lock
    # The steps run the executor of the kfp release the pipelines are compiled with.
    assert kfp_version == importlib.metadata.version("kfp"), "align the venv and the lock (make lock)"


# Imports, in the image, every import statement of the storage backend that
# serves each URI given (boto3 and botocore for s3:// and minio://,
# google-cloud-storage for gs://, ...); the backends import these lazily, so
# a missing package shows only when a step first touches that scheme.
_IMPORT_BACKENDS = """
import ast, inspect, json, os, sys
from components import storage
from components.storage import _backend
done = {}
for uri in sys.argv[1:]:
    module = inspect.getmodule(type(_backend(storage.parse(uri))))
    statements = [
        node for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Import)
        or isinstance(node, ast.ImportFrom) and not node.level and node.module != "__future__"
    ]
    for node in statements:
        exec(compile(ast.Module(body=[node], type_ignores=[]), module.__name__, "exec"), {})
    done[uri] = [module.__name__, sorted(ast.unparse(node) for node in statements)]
import boto3
put = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
put = put.meta.service_model.operation_model("PutObject").input_shape.members
# The Vertex AI Model Registry upload (components.vertex_models) uses google-auth's session.
from google.auth.transport.requests import AuthorizedSession
print(json.dumps({"uid": os.getuid(), "backends": done, "put_object": sorted(set(put) & {"IfMatch", "IfNoneMatch"}),
                  "vertex_session": AuthorizedSession.__module__}))
"""


@pytest.mark.container
def test_every_storage_backend_imports_as_the_non_root_user(image):
    """Each scheme that a shipped target or a study source can use
    (pipelines/targets.toml: local paths, gs://, s3://, minio://; sources also
    http(s)://) has its backend's dependencies in the image, and botocore has
    the conditional writes the registry uses (IfMatch, IfNoneMatch on PutObject); google-auth's
    requests session, which uploads versions to the Vertex AI Model Registry, imports too."""
    targets = tomllib.loads((REPO / "pipelines" / "targets.toml").read_text())["targets"]
    uris = sorted(
        {t[field] + "/x" for t in targets.values() for field in ("pipeline_root", "registry_uri", "work_uri")}
        | {"https://example.invalid/source.tar.gz", "file:///tmp/source.tar.gz"}
    )
    assert {u.split("://")[0] for u in uris if "://" in u} >= {"gs", "s3", "minio", "https", "file"}
    found = json.loads(run_in(image, "python", "-c", _IMPORT_BACKENDS, *uris).splitlines()[-1])
    assert found["uid"] == 1000
    modules = {uri: module for uri, (module, _) in found["backends"].items()}
    assert set(modules.values()) == {f"components.storage.{name}" for name in ("local", "http", "gcs", "s3")}, modules
    statements = {s for _, imported in found["backends"].values() for s in imported}
    assert {"import boto3", "from google.cloud import storage"} <= statements, statements
    assert found["put_object"] == ["IfMatch", "IfNoneMatch"]
    assert found["vertex_session"] == "google.auth.transport.requests"


@pytest.mark.container
def test_the_image_holds_this_checkouts_code(image):
    """The installed packages are byte-for-byte the sources of this checkout."""
    script = (
        "import hashlib, pathlib, components, pipelines\n"
        "for pkg in (components, pipelines):\n"
        "    root = pathlib.Path(pkg.__file__).parent\n"
        "    for p in sorted(root.rglob('*.py')):\n"
        "        print(pkg.__name__ + '/' + p.relative_to(root).as_posix(),"
        " hashlib.sha256(p.read_bytes()).hexdigest())\n"
    )
    in_image = dict(line.split() for line in run_in(image, "python", "-c", script).splitlines())
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "components/*.py", "pipelines/*.py"],
        cwd=REPO,
        check=True,
        text=True,
        capture_output=True,
    ).stdout.split()
    here = {p: hashlib.sha256((REPO / p).read_bytes()).hexdigest() for p in listed if (REPO / p).is_file()}
    assert in_image == here, "the image is stale: run `make image`"


@pytest.mark.container
def test_the_tag_is_version_plus_commit(image):
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    head = (
        subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True, capture_output=True).stdout.strip()
        or "nogit"
    )
    match = re.fullmatch(
        r"(?P<repo>[^:]+(?::\d+/[^:]+)?):(?P<version>.+?)-(?P<sha>[0-9a-f]{7,40}|nogit)"
        r"(?P<dirty>-dirty-[0-9a-f]{8})?",
        image,
    )
    assert match, f"{image!r} is not <repo>:<version>-<git sha>[-dirty-<hash>]"
    assert match["version"] == version.replace("+", "-") and match["sha"] == head
    assert "latest" not in image
    labels = inspect(image)["Config"]["Labels"]
    assert labels["org.opencontainers.image.version"] == image.rsplit(":", 1)[1]
    # what make prints is what was built, and what the compiler is given
    assert image_tag() == image


@pytest.mark.container
def test_no_proxy_ca_nor_credentials_in_any_layer(image, tmp_path):
    """The CA bundle pip used through the build secret is in no layer, history or config."""
    extra = _proxy_cas()
    if not extra:
        pytest.skip("this machine trusts no CA beyond Debian's public ones: nothing to look for")
    info = inspect(image)
    env = " ".join(info["Config"].get("Env") or [])
    for name in ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "PIP_INDEX_URL"):
        assert name not in env
    history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    assert "BEGIN CERTIFICATE" not in history

    needles = {n for der in extra for n in _needles(der)}
    found = _find_in_layers(image, needles, tmp_path)
    assert not found, f"the proxy CA (or the secret's path) is in the image: {found}"


@pytest.mark.container
def test_the_layer_scan_finds_a_planted_ca(image, tmp_path):
    """Control for the test above: the same scan finds the CA where it is."""
    extra = _proxy_cas()
    if not extra:
        pytest.skip("this machine trusts no CA beyond Debian's public ones")
    context = tmp_path / "context"
    context.mkdir()
    pem = base64.encodebytes(extra[0]).decode()  # wrapped at 76 columns, unlike the bundle
    (context / "leak.pem").write_text(f"-----BEGIN CERTIFICATE-----\n{pem}-----END CERTIFICATE-----\n")
    (context / "Containerfile").write_text("FROM scratch\nCOPY leak.pem /etc/leak.pem\n")
    tag = "localhost/kfp-studies-test-leak:control"
    podman("build", "--network=none", "-t", tag, str(context))
    try:
        found = _find_in_layers(tag, {n for der in extra for n in _needles(der)}, tmp_path)
    finally:
        podman("rmi", "-f", tag, check=False)
    assert [f for f in found if f.endswith("etc/leak.pem")], found


def _find_in_layers(image: str, needles: set[bytes], tmp_path: Path) -> list[str]:
    """Files, in any layer of ``image`` (deleted later or not), that contain a
    needle or sit under /run/secrets. Reads the overlay layer folders where
    this user can, else a ``podman save`` archive."""
    found = []
    graph = inspect(image).get("GraphDriver") or {}
    data = graph.get("Data") or {}
    dirs = [d for d in [data.get("UpperDir", "")] + data.get("LowerDir", "").split(":") if d]
    if graph.get("Name") == "overlay" and dirs and all(os.access(d, os.R_OK | os.X_OK) for d in dirs):
        for layer in dirs:
            for folder, _, files in os.walk(layer):
                for name in files:
                    path = os.path.join(folder, name)
                    rel = os.path.relpath(path, layer)
                    if rel.startswith("run/secrets/"):
                        found.append(f"{layer}: {rel}")
                    elif stat.S_ISREG(os.lstat(path).st_mode):
                        with open(path, "rb") as f:
                            if _contains(f, needles):
                                found.append(f"{layer}: {rel}")
        return found
    archive = tmp_path / "image.tar"
    podman("save", "--format", "docker-archive", "-o", str(archive), image, timeout=900)
    try:
        with tarfile.open(archive) as outer:
            for layer in (m for m in outer if m.isfile() and m.name.endswith(".tar")):
                with tarfile.open(fileobj=outer.extractfile(layer), mode="r|") as inner:
                    for member in inner:
                        rel = member.name.lstrip("./")
                        if rel.startswith("run/secrets/"):
                            found.append(f"{layer.name}: {rel}")
                        elif member.isfile() and _contains(inner.extractfile(member), needles):
                            found.append(f"{layer.name}: {rel}")
    finally:
        archive.unlink(missing_ok=True)
    return found


def _pem_certs(text: str) -> list[bytes]:
    return [
        base64.b64decode("".join(block.split()))
        for block in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    ]


def _proxy_cas() -> list[bytes]:
    """CAs this machine trusts beyond Debian's public set: the TLS-inspecting proxy's."""
    if not HOST_BUNDLE.is_file():
        return []
    public = set()
    for path in PUBLIC_CAS.glob("*.crt"):
        public.update(_pem_certs(path.read_text(errors="replace")))
    extra = [der for der in _pem_certs(HOST_BUNDLE.read_text(errors="replace")) if der not in public]
    if not public:  # no Debian list to compare with: the locally added ones
        extra = [der for p in LOCAL_CAS.rglob("*.crt") for der in _pem_certs(p.read_text(errors="replace"))]
    return extra


def _needles(der: bytes) -> list[bytes]:
    """Byte strings that any copy of the certificate contains: a slice of its
    DER, and base64 runs that no line break splits whether the PEM is wrapped
    at 64 columns (openssl) or 76 (base64(1)), or not at all: those starting
    at 0 and at 1216, the first common multiple of 64 and 76."""
    b64 = base64.b64encode(der)
    return [der[len(der) // 2 : len(der) // 2 + 48]] + [b64[i : i + 60] for i in (0, 1216) if len(b64) >= i + 60]


def _contains(f, needles: set[bytes], chunk: int = 1 << 22) -> bool:
    overlap = max(map(len, needles)) - 1
    tail = b""
    while block := f.read(chunk):
        data = tail + block
        if any(n in data for n in needles):
            return True
        tail = data[-overlap:]
    return False


def test_locks_pin_every_dependency_with_hashes():
    """docker/requirements-*.lock cover pyproject's dependencies (make lock)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

    def name(req: str) -> str:
        return re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower().replace("_", "-")

    for extra in ("cpu", "gpu"):
        lock = (REPO / "docker" / f"requirements-{extra}.lock").read_text()
        pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", lock, re.M | re.I))
        pins = {k.lower().replace("_", "-"): v for k, v in pins.items()}
        extras = project["optional-dependencies"]
        # the image's storage backends: boto3 for s3:// and minio:// (IMAGE_EXTRAS in docker/image.mk)
        wanted = {name(r) for r in project["dependencies"] + extras[extra] + extras["s3"]}
        assert wanted <= set(pins), f"{extra} lock misses {wanted - set(pins)}: run `make lock`"
        entries = re.split(r"\n(?=[a-z0-9])", lock.split("\n", 1)[1].strip(), flags=re.I)
        unhashed = [e.split()[0] for e in entries if not e.startswith("#") and "--hash=sha256:" not in e]
        assert not unhashed, f"pins without hashes in the {extra} lock: {unhashed}"
