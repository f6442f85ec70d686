# Local kind cluster with Kubeflow Pipelines standalone.  Included by the top Makefile:
#     -include deploy/kind.mk
# docs/kind.md explains the pinned versions (deploy/kind/common.sh) and the pitfalls.
# Uses IMAGE_TAG and the image target of docker/image.mk, and $(STAMP) of the Makefile.

KIND_CLUSTER ?= kfp-studies
KFP_PORT     ?= 8080
S3_PORT      ?= 9000
KIND_E2E_TARGET ?= kind
export KIND_CLUSTER

.PHONY: kind-up kind-up-gpu kind-load kind-e2e kind-down

kind-up: ## create a kind cluster and install KFP standalone (pinned), waiting for its deployments
	bash deploy/kind/up.sh

kind-up-gpu: ## kind-up with a fake-GPU worker (fake-gpu-operator) to check GPU requests and tolerations schedule
	KIND_GPU=1 bash deploy/kind/up.sh

kind-load: image ## build the component image and load it into the kind cluster
	IMAGE=$(IMAGE_TAG) PODMAN=$(PODMAN) bash deploy/kind/load.sh

kind-e2e: $(STAMP) ## port-forward, submit every study (tiny) to kind, wait, check tasks, artifacts and champion
	IMAGE=$(IMAGE_TAG) PYTHON=$(PYTHON) KFP_PORT=$(KFP_PORT) S3_PORT=$(S3_PORT) E2E_TARGET=$(KIND_E2E_TARGET) \
		bash deploy/kind/e2e.sh

kind-down: ## delete the kind cluster
	bash deploy/kind/down.sh
