#!/usr/bin/env bash
# make kind-e2e: port-forward the KFP API and its object store, then run tests/e2e, which submits
# every study with a tiny configuration, waits, and checks tasks, artifacts and the registry.
set -euo pipefail
# shellcheck source=deploy/kind/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMAGE="${IMAGE:?set IMAGE to the image loaded by make kind-load (make image-tag prints it)}"
PYTHON="${PYTHON:-.venv/bin/python}"
KFP_PORT="${KFP_PORT:-8080}"
S3_PORT="${S3_PORT:-9000}"
E2E_TARGET="${E2E_TARGET:-kind}"

need kubectl "install kubectl"
need curl "install curl"
kctl get namespace kubeflow >/dev/null || die "no KFP in context $KUBE_CONTEXT: run make kind-up first"

forwards=()
cleanup() {
  for pid in "${forwards[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

log "port-forwarding the KFP UI/API to :$KFP_PORT and the object store (SeaweedFS S3) to :$S3_PORT"
kctl -n kubeflow port-forward svc/ml-pipeline-ui "$KFP_PORT:80" >/dev/null &
forwards+=("$!")
kctl -n kubeflow port-forward svc/seaweedfs "$S3_PORT:9000" >/dev/null &
forwards+=("$!")

for _ in $(seq 1 60); do
  if curl -fsS "http://localhost:$KFP_PORT/apis/v2beta1/healthz" >/dev/null 2>&1; then
    break
  fi
  sleep 2
done
curl -fsS "http://localhost:$KFP_PORT/apis/v2beta1/healthz" >/dev/null || die "KFP API not answering on :$KFP_PORT"

# The object store's credentials, read from the cluster into this process only (never to a file).
secret() {
  kctl -n kubeflow get secret mlpipeline-minio-artifact -o "jsonpath={.data.$1}" | base64 -d
}
AWS_ACCESS_KEY_ID="$(secret accesskey)"
AWS_SECRET_ACCESS_KEY="$(secret secretkey)"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export KFP_HOST="http://localhost:$KFP_PORT"
export KFP_STUDIES_E2E_S3="http://localhost:$S3_PORT"
export KFP_STUDIES_E2E_TARGET="$E2E_TARGET"
export KFP_STUDIES_IMAGE="$IMAGE"

log "running tests/e2e against $KFP_HOST with $IMAGE"
"$PYTHON" -m pytest -q -ra -m e2e tests/e2e
