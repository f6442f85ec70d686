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


# --- the GPU variant can schedule, and the scripts use the right tools ------------------------------


def _node_taints(config: dict) -> list[list[dict]]:
    """The taints each node of a kind config registers with, as kind v0.32.0 and kubeadm set them.

    kubeadm gives a control-plane node the control-plane taint unless its InitConfiguration
    says ``taints: []``; kind removes that taint itself only in a one-node cluster
    (pkg/cluster/internal/create/actions/kubeadminit/init.go: ``if len(allNodes) == 1``).
    A node's taints come from its kubeadm config patch (kind merges it as a JSON merge patch)."""
    default = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    found = []
    for node in config["nodes"]:
        kind = "InitConfiguration" if node["role"] == "control-plane" else "JoinConfiguration"
        patches = [yaml.safe_load(p) for p in node.get("kubeadmConfigPatches", [])]
        registration: dict = next((p["nodeRegistration"] for p in patches if p["kind"] == kind), {})
        taints = registration.get("taints")
        if taints is None:
            taints = default if node["role"] == "control-plane" and len(config["nodes"]) > 1 else []
        found.append(taints)
    return found


@pytest.mark.parametrize("name", ["kind-config.yaml", "kind-gpu-config.yaml"])
def test_kfp_and_the_untolerating_steps_have_a_node(name):
    # KFP's deployments and the pipeline's non-training pods tolerate no taint: some node must have none.
    config = yaml.safe_load((KIND / name).read_text())
    assert any(
        not [t for t in taints if t.get("effect") in ("NoSchedule", "NoExecute")] for taints in _node_taints(config)
    )


def test_the_gpu_control_plane_is_registered_untainted():
    config = yaml.safe_load((KIND / "kind-gpu-config.yaml").read_text())
    [control_plane] = [n for n in config["nodes"] if n["role"] == "control-plane"]
    [patch] = [yaml.safe_load(p) for p in control_plane["kubeadmConfigPatches"]]
    assert patch == {"kind": "InitConfiguration", "nodeRegistration": {"taints": []}}, (
        "an explicitly empty list: kubeadm reads a missing one as the control-plane taint"
    )
    taints = dict(zip([n["role"] for n in config["nodes"]], _node_taints(config), strict=True))
    assert taints["control-plane"] == [] and taints["worker"], "only the GPU worker is tainted"


def test_the_image_is_saved_with_the_tool_that_built_it():
    load = (KIND / "load.sh").read_text()
    assert 'builder="${PODMAN:-podman}"' in load
    assert re.search(r'^"\$builder" save -o "\$archive" "\$IMAGE"$', load, re.M)
    assert "container_tool)" not in load, "kind's provider (docker when it runs) is not where make image put it"
    assert re.search(
        r"^\tIMAGE=\$\(IMAGE_TAG\) PODMAN=\$\(PODMAN\) bash deploy/kind/load.sh$",
        (ROOT / "deploy" / "kind.mk").read_text(),
        re.M,
    )
    assert "PODMAN     ?= podman" in (ROOT / "docker" / "image.mk").read_text(), "make image builds with $(PODMAN)"


def _run_common(snippet: str, bin_dir) -> subprocess.CompletedProcess:
    """``snippet`` run by bash after sourcing common.sh, finding programs only in ``bin_dir``
    (where common.sh's own ``dirname`` is linked)."""
    if not (bin_dir / "dirname").exists():
        (bin_dir / "dirname").symlink_to(shutil.which("dirname"))
    return subprocess.run(
        ["/bin/bash", "-c", f'. "{KIND / "common.sh"}"; {snippet}'],
        env={"PATH": str(bin_dir), "KIND_CLUSTER": "kfp-studies"},
        capture_output=True,
        text=True,
    )


def test_up_needs_git_before_applying_the_remote_manifests(tmp_path):
    up = (KIND / "up.sh").read_text()
    assert up.index("need git ") < up.index("kctl apply -k")
    result = _run_common(up[up.index("need git ") :].splitlines()[0], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("[kind] error: git not found: install git") and "kubectl apply -k" in result.stderr


@pytest.mark.parametrize(
    ("want_gpu", "gpu_nodes", "refused"),
    [
        ("1", "", "exists without the fake-GPU worker"),
        ("", "node/kfp-studies-worker", "exists with the fake-GPU worker"),
    ],
)
def test_up_refuses_to_reuse_the_other_variant(tmp_path, want_gpu, gpu_nodes, refused):
    up = (KIND / "up.sh").read_text()
    reuse = up[up.index("if cluster_exists; then") :]
    assert reuse.index('check_gpu_variant "$KIND_GPU"') < reuse.index("reusing it")
    # kubectl answering the one question check_gpu_variant asks: the nodes with the fake-GPU label.
    kubectl = tmp_path / "kubectl"
    question = "--context kind-kfp-studies get nodes -l run.ai/simulated-gpu-node-pool -o name"
    kubectl.write_text(f'#!/bin/sh\n[ "$*" = "{question}" ] || exit 9\necho "{gpu_nodes}"\n')
    kubectl.chmod(0o755)
    result = _run_common(f'check_gpu_variant "{want_gpu}"', tmp_path)
    assert result.returncode == 1 and refused in result.stderr and "make kind-down" in result.stderr
    same = _run_common(f'check_gpu_variant "{"" if want_gpu else "1"}"', tmp_path)
    assert same.returncode == 0, same.stderr
