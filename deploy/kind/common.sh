#!/usr/bin/env bash
# Pinned versions and helpers for the kind scripts (sourced, not run).  docs/kind.md explains the pins.
#
# kind v0.32.0 is the release Kubeflow Pipelines 2.17.0's own CI creates its clusters with;
# its default node image is Kubernetes v1.36.1, pinned here by digest as kind's release notes advise.
# KFP 2.17.0 is the backend release matching the kfp SDK 2.17.0 this project is tested with;
# since 2.15 its platform-agnostic manifests ship SeaweedFS instead of MinIO (2.17.0: S3 API at
# seaweedfs.kubeflow:9000, secret mlpipeline-minio-artifact, bucket mlpipeline).

# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
KIND_VERSION="v0.32.0"
KIND_NODE_IMAGE="kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5"
KFP_VERSION="2.17.0"
KFP_MANIFESTS="github.com/kubeflow/pipelines/manifests/kustomize"
FAKE_GPU_OPERATOR_VERSION="0.2.0"
FAKE_GPU_OPERATOR_CHART="oci://ghcr.io/run-ai/fake-gpu-operator/fake-gpu-operator"

KIND_CLUSTER="${KIND_CLUSTER:-kfp-studies}"
KUBE_CONTEXT="kind-${KIND_CLUSTER}"
KIND_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[kind] %s\n' "$*" >&2; }
die() { printf '[kind] error: %s\n' "$*" >&2; exit 1; }

need() {
  local tool="$1" hint="$2"
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: $hint"
}

kctl() { kubectl --context "$KUBE_CONTEXT" "$@"; }

# kind talks to docker, or to podman when docker is absent (KIND_EXPERIMENTAL_PROVIDER=podman).
container_tool() {
  if [ -n "${KIND_EXPERIMENTAL_PROVIDER:-}" ]; then
    echo "$KIND_EXPERIMENTAL_PROVIDER"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo docker
  elif command -v podman >/dev/null 2>&1; then
    echo podman
  else
    die "neither docker nor podman can run containers here; kind needs one of them"
  fi
}

use_provider() {
  local tool
  tool="$(container_tool)"
  if [ "$tool" = podman ]; then
    export KIND_EXPERIMENTAL_PROVIDER=podman
  fi
  log "container provider: $tool"
}

check_kind() {
  need kind "install kind ${KIND_VERSION}: go install sigs.k8s.io/kind@${KIND_VERSION} (or the release binary, see docs/kind.md)"
  local version
  version="$(kind version -q 2>/dev/null || true)"
  if [ "$version" != "$KIND_VERSION" ]; then
    log "warning: kind ${version:-of unknown version} found; these scripts are pinned to ${KIND_VERSION}"
  fi
}

# Many pods watching files exhaust the default inotify limits ("too many open files").
check_inotify() {
  local watches instances
  watches="$(cat /proc/sys/fs/inotify/max_user_watches 2>/dev/null || echo 0)"
  instances="$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)"
  if [ "$watches" -lt 524288 ] || [ "$instances" -lt 512 ]; then
    log "warning: inotify limits are low (max_user_watches=$watches, max_user_instances=$instances);"
    log "  pods may fail with 'too many open files'. Raise them on the host:"
    log "  sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
  fi
}

cluster_exists() {
  kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"
}

# The existing cluster must be the variant asked for: a cluster without the fake-GPU worker never
# offers nvidia.com/gpu (kind-up-gpu would wait in vain), and one with it is not what kind-up makes.
# The worker is the node with the run.ai/simulated-gpu-node-pool label (kind-gpu-config.yaml).
check_gpu_variant() {
  local want_gpu="$1" gpu_nodes
  gpu_nodes="$(kctl get nodes -l run.ai/simulated-gpu-node-pool -o name)" \
    || die "cannot list the nodes of $KIND_CLUSTER (context $KUBE_CONTEXT)"
  if [ -n "$want_gpu" ] && [ -z "$gpu_nodes" ]; then
    die "cluster $KIND_CLUSTER exists without the fake-GPU worker; make kind-up-gpu cannot reuse it: make kind-down first (or set KIND_CLUSTER to another name)"
  fi
  if [ -z "$want_gpu" ] && [ -n "$gpu_nodes" ]; then
    die "cluster $KIND_CLUSTER exists with the fake-GPU worker (made by make kind-up-gpu); make kind-up cannot reuse it: make kind-down first, or use make kind-up-gpu"
  fi
}
