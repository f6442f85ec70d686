"""The kind scripts and configs: syntax, shellcheck, pinned versions, and agreement with the targets."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipelines.targets import get_target

ROOT = Path(__file__).resolve().parents[2]
KIND = ROOT / "deploy" / "kind"
SCRIPTS = sorted(KIND.glob("*.sh"))


def pins() -> dict:
    text = (KIND / "common.sh").read_text()
    return dict(re.findall(r'^([A-Z_]+)="([^"$]*)"$', text, re.M))


def test_the_scripts_exist():
    assert {p.name for p in SCRIPTS} >= {"common.sh", "up.sh", "load.sh", "e2e.sh", "down.sh"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bash_parses_the_script(script):
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_shellcheck_is_clean():
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (Debian: apt-get install -y shellcheck; CI's .ci/run should)")
    result = subprocess.run(
        ["shellcheck", "-x", *[str(p.relative_to(ROOT)) for p in SCRIPTS]], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_versions_are_pinned_and_documented():
    p = pins()
    assert re.fullmatch(r"v\d+\.\d+\.\d+", p["KIND_VERSION"])
    assert re.fullmatch(r"kindest/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", p["KIND_NODE_IMAGE"]), (
        "the node image is pinned by digest"
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", p["KFP_VERSION"])
    docs = (ROOT / "docs" / "kind.md").read_text()
    for name in ("KIND_VERSION", "KFP_VERSION", "FAKE_GPU_OPERATOR_VERSION"):
        assert p[name] in docs, f"docs/kind.md explains {name} {p[name]}"
    assert p["KIND_NODE_IMAGE"].split("@")[0] in docs


def test_kfp_is_installed_from_the_platform_agnostic_manifests_at_the_pin():
    up = (KIND / "up.sh").read_text()
    assert "env/platform-agnostic?ref=${KFP_VERSION}" in up
    assert "cluster-scoped-resources?ref=${KFP_VERSION}" in up
    assert "env/dev" not in up, "env/dev pulls :master images and the GCP inverse proxy"


def test_no_credentials_are_written_in_the_scripts():
    for script in SCRIPTS:
        text = script.read_text()
        assert "minio123" not in text, script.name
        literal = re.search(r"(ACCESS_KEY_ID|SECRET_ACCESS_KEY|accesskey|secretkey)[=:]\s*[\"']?[^\"'$\s(]", text)
        assert not literal, f"{script.name}: {literal.group(0)}; read credentials from the cluster's secret"


def test_the_kind_configs_and_the_gpu_variant_agree_with_the_targets():
    for name in ("kind-config.yaml", "kind-gpu-config.yaml"):
        config = yaml.safe_load((KIND / name).read_text())
        assert config["kind"] == "Cluster" and config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    gpu_config = yaml.safe_load((KIND / "kind-gpu-config.yaml").read_text())
    [worker] = [n for n in gpu_config["nodes"] if n["role"] == "worker"]
    taints = yaml.safe_load(worker["kubeadmConfigPatches"][0])["nodeRegistration"]["taints"]
    target = get_target("kind-gpu")
    assert target.node_selector.items() <= worker["labels"].items(), "the target selects the fake-GPU worker"
    for taint in taints:
        assert any(t["key"] == taint["key"] and t.get("effect") == taint["effect"] for t in target.tolerations), (
            "the target tolerates the worker's taint"
        )


def test_the_make_fragment_has_every_target_and_is_included():
    fragment = (ROOT / "deploy" / "kind.mk").read_text()
    for target in ("kind-up", "kind-up-gpu", "kind-load", "kind-e2e", "kind-down"):
        assert re.search(rf"^{target}:.*## ", fragment, re.M), target
    assert "-include deploy/kind.mk" in (ROOT / "Makefile").read_text()


def test_committed_kustomize_overlays_render():
    overlays = sorted(p.parent for p in (ROOT / "deploy").rglob("kustomization.yaml"))
    if not overlays:
        pytest.skip("no kustomize overlay is committed: up.sh applies the upstream manifests at the pinned ref")
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    for overlay in overlays:
        subprocess.run(["kubectl", "kustomize", str(overlay)], check=True, capture_output=True)
