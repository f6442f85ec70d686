# Component image: lock, build, tag, push.  Included by the top Makefile:
#     include docker/image.mk
# See docs/images.md.  Every target has a `## text` for `make help`.

PODMAN     ?= podman
# Fully qualified: podman stores local builds as localhost/NAME, and
# kfp.local.DockerRunner only finds the image under the name podman lists.
IMAGE_REPO ?= localhost/kfp-studies

# --- tag: <project version>-<git short sha>[-dirty-<hash>]; never `latest` ---
IMAGE_PROJECT_VERSION := $(shell python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])' 2>/dev/null)
IMAGE_GIT_SHA         := $(shell git rev-parse --short HEAD 2>/dev/null || echo nogit)
# A dirty tree gets -dirty-<hash of the files the image is built from>, so two
# different uncommitted states never share a tag (nor go stale under one).
IMAGE_CONTEXT_PATHS   := pyproject.toml README.md components pipelines docker .dockerignore
IMAGE_GIT_DIRTY       := $(shell test -z "$$(git status --porcelain 2>/dev/null)" || { \
	git ls-files -z --cached --others --exclude-standard -- $(IMAGE_CONTEXT_PATHS) | sort -z \
	| xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-8 | sed 's/^/-dirty-/'; })
IMAGE_VERSION         := $(subst +,-,$(IMAGE_PROJECT_VERSION))-$(IMAGE_GIT_SHA)$(IMAGE_GIT_DIRTY)
IMAGE_TAG             ?= $(IMAGE_REPO):$(IMAGE_VERSION)
IMAGE_TAG_GPU         ?= $(IMAGE_REPO):$(IMAGE_VERSION)-gpu
# the container tests (tests/container) use exactly this tag
export KFP_STUDIES_IMAGE ?= $(IMAGE_TAG)

# --- base image -------------------------------------------------------------
# Empty: the Dockerfile's public default (python:3.11-slim-bookworm).  Where the
# debootstrap base of `make podman-setup` exists (no registry pulls here), use it.
LOCAL_BASE_IMAGE ?= localhost/kfp-studies-base:bookworm
BASE_IMAGE       ?= $(shell $(PODMAN) image exists $(LOCAL_BASE_IMAGE) 2>/dev/null && echo $(LOCAL_BASE_IMAGE))

# --- pip's CA bundle, handed to the build as a secret (never a layer) -------
PIP_CA ?= $(firstword $(wildcard $(PIP_CERT) /etc/ssl/certs/ca-certificates.crt))

IMAGE_BUILD_FLAGS ?=
IMAGE_BUILD = $(PODMAN) build --network=host --file docker/Dockerfile \
	$(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) \
	$(if $(PIP_CA),--secret id=pipca$(comma)src=$(PIP_CA)) \
	$(IMAGE_BUILD_FLAGS)
comma := ,

# The version and revision labels, stamped on the built tag by a one-line
# LABEL build (no layer, under a second).  Not `podman build --label` on the
# main build: buildah 1.28 reuses a cached image whose layers all match,
# labels included, so a rebuild at a new commit with unchanged sources kept
# the previous commit's labels.  Here the values are in the instruction's
# text, so the cache can only hand back an image stamped with the same ones.
define image_stamp
	printf 'FROM %s\nLABEL org.opencontainers.image.version="%s" org.opencontainers.image.revision="%s"\n' \
	  $(1) $(IMAGE_VERSION) "$$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
	  | $(PODMAN) build --network=none --quiet --file - --tag $(1) docker >/dev/null
endef

.PHONY: image image-gpu image-tag image-tag-gpu image-prune push push-gpu podman-setup lock

image: ## build the cpu component image, tagged <version>-<git sha>[-dirty-<hash>] (see image-tag)
	@echo "building $(IMAGE_TAG) on base $(or $(BASE_IMAGE),<Dockerfile default>)"
	$(IMAGE_BUILD) --target cpu --tag $(IMAGE_TAG) .
	$(call image_stamp,$(IMAGE_TAG))

image-gpu: ## build the gpu component image (tensorflow[and-cuda]), same tag plus -gpu
	@echo "building $(IMAGE_TAG_GPU) on base $(or $(BASE_IMAGE),<Dockerfile default>)"
	$(IMAGE_BUILD) --target gpu --tag $(IMAGE_TAG_GPU) .
	$(call image_stamp,$(IMAGE_TAG_GPU))

image-tag: ## print the cpu image tag that the pipelines must be compiled against
	@echo $(IMAGE_TAG)

image-tag-gpu: ## print the gpu image tag
	@echo $(IMAGE_TAG_GPU)

image-prune: ## remove the local kfp-studies images other than this checkout's tags
	$(PODMAN) images --format '{{.Repository}}:{{.Tag}}' --filter reference='$(IMAGE_REPO)' \
	  | grep -vxF -e '$(IMAGE_TAG)' -e '$(IMAGE_TAG_GPU)' | xargs -r $(PODMAN) rmi
	$(PODMAN) image prune --force

define image_push
	@case "$(1)" in localhost/*) \
	  echo "set IMAGE_REPO to a registry, e.g. make image push IMAGE_REPO=REGION-docker.pkg.dev/PROJECT/REPO/kfp-studies" >&2; exit 2;; esac
	@case "$(1)" in *-dirty*) test -n "$(ALLOW_DIRTY)" || { \
	  echo "refusing to push a -dirty tag: commit first (or ALLOW_DIRTY=1)" >&2; exit 2; };; esac
	$(PODMAN) push $(1)
endef

push: ## push the cpu image: make image push IMAGE_REPO=<registry>/kfp-studies
	$(call image_push,$(IMAGE_TAG))

push-gpu: ## push the gpu image: make image-gpu push-gpu IMAGE_REPO=...
	$(call image_push,$(IMAGE_TAG_GPU))

podman-setup: ## install podman + runc, write containers.conf, import a debootstrap base (idempotent, root)
	bash docker/podman-setup.sh

# pip-compile runs in its own venv so the project venv needs no pip-tools; it
# resolves against PyPI only (no pip.conf, no find-links or extra indexes from
# the environment) so the hashes are PyPI's.  pip trusts PIP_CA (see above).
LOCK_VENV       ?= .cache/lock-venv
PIP_TOOLS_SPEC  ?= pip-tools==7.5.3
LOCK_FLAGS      ?=
LOCK_PIP_ENV     = env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_NO_INDEX \
	PIP_CONFIG_FILE=/dev/null $(if $(PIP_CA),PIP_CERT=$(PIP_CA))
LOCK_COMPILE     = $(LOCK_PIP_ENV) $(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_FLAGS) \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links --index-url https://pypi.org/simple \
	--resolver backtracking pyproject.toml

$(LOCK_VENV)/bin/pip-compile:
	python3 -m venv $(LOCK_VENV)
	$(LOCK_PIP_ENV) $(LOCK_VENV)/bin/pip install --quiet "$(PIP_TOOLS_SPEC)"

# Extras both images hold besides TensorFlow: the storage backends of every
# shipped target (s3:// and minio:// need boto3; gs:// needs
# google-cloud-storage, a base dependency; http(s):// needs nothing more).
IMAGE_EXTRAS    ?= s3

lock: $(LOCK_VENV)/bin/pip-compile ## re-pin docker/requirements-{cpu,gpu}.lock with hashes from pyproject.toml
	$(LOCK_COMPILE) --extra cpu $(addprefix --extra ,$(IMAGE_EXTRAS)) --output-file docker/requirements-cpu.lock
	$(LOCK_COMPILE) --extra gpu $(addprefix --extra ,$(IMAGE_EXTRAS)) --output-file docker/requirements-gpu.lock
