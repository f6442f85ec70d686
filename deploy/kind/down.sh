#!/usr/bin/env bash
# make kind-down: delete the kind cluster (and everything in it).
set -euo pipefail
# shellcheck source=deploy/kind/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

check_kind
use_provider
if cluster_exists; then
  kind delete cluster --name "$KIND_CLUSTER"
else
  log "no cluster $KIND_CLUSTER"
fi
