"""What a real KFP cluster needs beside the pipelines: the runs' RBAC (deploy/kfp) and the
``kfp-launcher`` providers block of docs/targets.md, checked against what KFP 2.17.0 reads."""

import re
from pathlib import Path

import pytest
import yaml

from pipelines.targets import get_target

ROOT = Path(__file__).resolve().parents[2]
RBAC = ROOT / "deploy" / "kfp" / "runner-rbac.yaml"

# (API group, resource, verb) the run's pods use on KFP 2.17.0 / Argo v4.0.5:
NEEDED = {
    ("", "secrets", "get"),  # backend/src/v2/objectstore/object_store.go: the object store's secret
    ("", "configmaps", "get"),  # backend/src/v2/config/env.go: the kfp-launcher ConfigMap
    ("", "pods", "get"),  # backend/src/v2/driver/k8s.go, backend/src/v2/component/launcher_v2.go
    ("argoproj.io", "workflowtaskresults", "create"),  # Argo's executor reports outputs
    ("argoproj.io", "workflowtaskresults", "patch"),
}


@pytest.fixture(autouse=True)
def _packaged_targets(monkeypatch):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)


def documents() -> dict[str, dict]:
    return {d["kind"]: d for d in yaml.safe_load_all(RBAC.read_text())}


def test_the_role_grants_what_the_runs_pods_use_and_no_wildcard():
    role = documents()["Role"]
    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert NEEDED <= granted, NEEDED - granted
    assert not any("*" in item for item in granted), "least privilege: no wildcard"
    assert not {verb for _, _, verb in granted} & {"delete", "deletecollection", "escalate", "bind"}


def test_it_is_the_kfp_targets_service_account_bound_to_the_role():
    docs = documents()
    name = get_target("kfp").service_account
    assert docs["ServiceAccount"]["metadata"]["name"] == name
    binding = docs["RoleBinding"]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kfp-studies-runner"}
    assert docs["Role"]["metadata"]["name"] == "kfp-studies-runner"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name}]
    assert all("namespace" not in d["metadata"] for d in docs.values()), "applied with -n into the runs' namespace"


def test_the_documented_kfp_launcher_config_has_the_fields_kfp_reads():
    text = (ROOT / "docs" / "targets.md").read_text()
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "name: kfp-launcher" in b]
    config_map = yaml.safe_load(block)
    assert config_map["kind"] == "ConfigMap" and config_map["metadata"]["name"] == "kfp-launcher"
    # backend/src/v2/config/env.go: the keys defaultPipelineRoot and providers (YAML, BucketProviders).
    assert set(config_map["data"]) == {"defaultPipelineRoot", "providers"}
    default = yaml.safe_load(config_map["data"]["providers"])["s3"]["default"]
    # backend/src/v2/config/s3.go: S3ProviderDefault and S3Credentials / S3SecretRef json tags.
    assert set(default) <= {"endpoint", "credentials", "region", "disableSSL", "forcePathStyle", "maxRetries"}
    assert default["forcePathStyle"] is True and isinstance(default["disableSSL"], bool) and default["region"]
    assert default["credentials"]["fromEnv"] is False
    assert set(default["credentials"]["secretRef"]) == {"secretName", "accessKeyKey", "secretKeyKey"}
    assert config_map["data"]["defaultPipelineRoot"] == get_target("kfp").pipeline_root
