#!/usr/bin/env bash
# make kind-up: a kind cluster from the committed config, KFP standalone at a pinned version.
# KIND_GPU=1 adds a worker with fake GPUs (fake-gpu-operator) for scheduling checks.
set -euo pipefail
# shellcheck source=deploy/kind/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KFP_WAIT="${KFP_WAIT:-1200s}"
KIND_GPU="${KIND_GPU:-}"
config="$KIND_DIR/kind-config.yaml"
if [ -n "$KIND_GPU" ]; then
  config="$KIND_DIR/kind-gpu-config.yaml"
fi

need kubectl "install kubectl (Debian: apt-get install kubectl, or see kubernetes.io/docs/tasks/tools)"
need git "install git: kubectl apply -k fetches the KFP manifests from GitHub with it"
check_kind
use_provider
check_inotify

if cluster_exists; then
  check_gpu_variant "$KIND_GPU"
  log "cluster $KIND_CLUSTER exists; reusing it"
else
  log "creating cluster $KIND_CLUSTER from $config ($KIND_NODE_IMAGE)"
  kind create cluster --name "$KIND_CLUSTER" --image "$KIND_NODE_IMAGE" --config "$config" --wait 180s
fi

log "installing Kubeflow Pipelines $KFP_VERSION (platform-agnostic)"
kctl apply -k "${KFP_MANIFESTS}/cluster-scoped-resources?ref=${KFP_VERSION}"
kctl wait --for condition=established --timeout=120s crd/applications.app.k8s.io
kctl apply -k "${KFP_MANIFESTS}/env/platform-agnostic?ref=${KFP_VERSION}"

log "waiting for every KFP deployment to be available (up to $KFP_WAIT)"
kctl -n kubeflow wait --for=condition=Available deployment --all --timeout="$KFP_WAIT"

if [ -n "$KIND_GPU" ]; then
  need helm "install helm 3 (https://helm.sh/docs/intro/install/)"
  log "installing fake-gpu-operator $FAKE_GPU_OPERATOR_VERSION on the nodes labelled run.ai/simulated-gpu-node-pool"
  helm --kube-context "$KUBE_CONTEXT" upgrade -i gpu-operator "$FAKE_GPU_OPERATOR_CHART" \
    --namespace gpu-operator --create-namespace --version "$FAKE_GPU_OPERATOR_VERSION" --wait
  log "waiting for a node to offer nvidia.com/gpu"
  for _ in $(seq 1 60); do
    if kctl get nodes -o jsonpath='{.items[*].status.allocatable.nvidia\.com/gpu}' | grep -q '[1-9]'; then
      break
    fi
    sleep 5
  done
  kctl get nodes -o jsonpath='{.items[*].status.allocatable.nvidia\.com/gpu}' | grep -q '[1-9]' \
    || die "no node offers nvidia.com/gpu; see kubectl -n gpu-operator get pods"
fi

log "ready: make kind-load, then make kind-e2e (docs/kind.md)"
