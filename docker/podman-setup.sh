#!/usr/bin/env bash
# Prepare this machine to build and run the component image with podman.
#
# Idempotent: every step checks first and does nothing when already done.
#   1. install podman + runc (and debootstrap, uidmap, ...) from Debian;
#   2. write /etc/containers/containers.conf (runc, explicit ulimits);
#   3. build a Debian bookworm base with debootstrap from the mirror apt is
#      already configured with, and `podman import` it as $BASE_IMAGE
#      (only when that image is absent).
#
# Environment:
#   BASE_IMAGE   name of the imported base (default kfp-studies-base:bookworm)
#   SUITE        Debian suite (default bookworm)
#   MIRROR       Debian mirror (default: the one apt uses for $SUITE)
#   REBUILD_BASE=1  rebuild the base even if it exists
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-kfp-studies-base:bookworm}"
SUITE="${SUITE:-bookworm}"
PACKAGES=(podman runc buildah debootstrap uidmap fuse-overlayfs slirp4netns
          netavark aardvark-dns)
CONF=/etc/containers/containers.conf
MARKER="# written by kfp-studies docker/podman-setup.sh"

log() { printf '[podman-setup] %s\n' "$*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        log "needs root (or sudo) to install packages and write $CONF"
        exit 1
    fi
fi

# --- 1. packages -----------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    log "packages present: ${PACKAGES[*]}"
fi

# --- 2. containers.conf ----------------------------------------------------
want_conf="$MARKER
[containers]
default_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]

[engine]
runtime = \"runc\"
"
if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$(printf '%s' "$want_conf")" ]; then
    log "$CONF already up to date"
else
    if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
        log "keeping the previous $CONF as $CONF.orig"
        "${SUDO[@]}" cp -n "$CONF" "$CONF.orig"
    fi
    "${SUDO[@]}" mkdir -p "$(dirname "$CONF")"
    printf '%s' "$want_conf" | "${SUDO[@]}" tee "$CONF" >/dev/null
    log "wrote $CONF"
fi

# --- 3. debootstrap base image ---------------------------------------------
if podman image exists "$BASE_IMAGE" && [ "${REBUILD_BASE:-0}" != 1 ]; then
    log "base image $BASE_IMAGE present"
    exit 0
fi

# The mirror apt already uses for $SUITE (the build machines reach only it).
if [ -z "${MIRROR:-}" ]; then
    MIRROR="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
        | awk -v s="$SUITE" '$2 == s { print $1; exit }')"
fi
if [ -z "${MIRROR:-}" ]; then
    # indextargets is empty before the first `apt-get update`: read the sources.
    MIRROR="$(grep -hsE '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                  /etc/apt/sources.list.d/*.sources \
              | grep -v -- '-security' | grep -oE 'https?://[^ ]+' | head -n1)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
MIRROR="${MIRROR%/}"
SECURITY="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null \
    | awk -v s="$SUITE-security" '$2 == s { print $1; exit }')"
SECURITY="${SECURITY%/}"

rootfs="$(mktemp -d /var/tmp/kfp-studies-rootfs.XXXXXX)"
trap '"${SUDO[@]}" rm -rf "$rootfs"' EXIT
log "debootstrap --variant=minbase $SUITE from $MIRROR (about 30 s)"
"${SUDO[@]}" debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >/dev/null

# apt sources inside the base: the same mirror, plus updates and security.
{
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -n "$SECURITY" ] && echo "deb $SECURITY $SUITE-security main"
} | "${SUDO[@]}" tee "$rootfs/etc/apt/sources.list" >/dev/null
# Smaller image: drop apt's package lists and caches from the import.
"${SUDO[@]}" rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/* "$rootfs"/tmp/*

log "importing as $BASE_IMAGE"
"${SUDO[@]}" tar -C "$rootfs" --numeric-owner -c . \
    | podman import --change 'CMD ["/bin/bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$BASE_IMAGE" >/dev/null
log "base image $BASE_IMAGE ready ($(podman image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes)"
