#!/usr/bin/env bash
# make kind-load: put the component image (built by make image) into the kind cluster's nodes.
set -euo pipefail
# shellcheck source=deploy/kind/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMAGE="${IMAGE:?set IMAGE to the component image tag (make image-tag prints it)}"

check_kind
use_provider
cluster_exists || die "no cluster $KIND_CLUSTER: run make kind-up first"

# Save with the tool that built the image (make image builds with $(PODMAN), podman by default):
# the image is only in that tool's store, even where kind itself runs on docker.
builder="${PODMAN:-podman}"
need "$builder" "make image builds with it (set PODMAN to the tool that built $IMAGE)"
"$builder" image inspect "$IMAGE" >/dev/null 2>&1 || die "$builder has no image $IMAGE: run make image (or set PODMAN)"
archive="$(mktemp -d)/image.tar"
trap 'rm -rf "$(dirname "$archive")"' EXIT
log "saving $IMAGE with $builder"
"$builder" save -o "$archive" "$IMAGE"
log "loading it into $KIND_CLUSTER"
kind load image-archive "$archive" --name "$KIND_CLUSTER"
log "loaded $IMAGE; compile or submit with --set target.image=$IMAGE"
