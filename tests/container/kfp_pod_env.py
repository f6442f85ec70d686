"""The environment a task's container gets on KFP 2.17, for running a compiled
package's steps here the way a cluster would.

Test-side only. On a cluster, KFP's driver builds each task's pod from the
compiled package (kubeflow/pipelines tag 2.17.0,
``backend/src/v2/driver/k8s.go``, the "secret env" loop; see finding
"kfp-kubernetes platform spec" in ../shared/reviews/kfp-2.17-audit.md):

- the container's ``env`` is the IR's
  ``deploymentSpec.executors.<executor>.container.env``;
- then, for each ``secretAsEnv`` entry of that executor in the Kubernetes
  platform spec, the secret is named by ``secretNameParameter`` when set (a
  constant here), else by ``secretName``, and every ``keyToEnv`` entry appends
  a variable ``envVar`` whose value is the secret's ``secretKey``
  (``valueFrom.secretKeyRef``, ``optional`` as compiled). Kubernetes does not
  start a container whose non-optional secret or key is missing
  (CreateContainerConfigError); with a variable named twice, the later wins.

:func:`with_cluster_env` does the same with secrets given as dicts, and
stands in for the cluster's DNS: an in-cluster service address in an env
value (``http://seaweedfs.kubeflow:9000``) becomes the address where the
stand-in service listens here.
"""

from __future__ import annotations

import copy
import urllib.parse
from collections.abc import Mapping

Secrets = Mapping[str, Mapping[str, str]]  # secret name -> key -> value


class PodWouldNotStart(RuntimeError):
    """What Kubernetes reports as CreateContainerConfigError."""


def secret_name(entry: Mapping) -> str:
    """The secret a ``secretAsEnv`` entry names: ``secretNameParameter``, else ``secretName``."""
    parameter = entry.get("secretNameParameter")
    if parameter:
        constant = parameter.get("runtimeValue", {}).get("constant")
        if not isinstance(constant, str):
            raise NotImplementedError(
                f"secretNameParameter {parameter!r}: this stand-in resolves only constant secret names, "
                "as kfp-studies compiles them"
            )
        return constant
    if entry.get("secretName"):
        return entry["secretName"]
    raise ValueError(f"secretAsEnv entry {entry!r} has neither secretNameParameter nor secretName")


def secret_env(platform_spec: Mapping, executor: str, secrets: Secrets) -> dict[str, str]:
    """The variables that ``secretAsEnv`` gives ``executor``'s container, with values from ``secrets``."""
    config = platform_spec.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get("executors", {})
    env: dict[str, str] = {}
    for entry in config.get(executor, {}).get("secretAsEnv", []):
        name = secret_name(entry)
        optional = bool(entry.get("optional", False))
        for key_to_env in entry.get("keyToEnv", []):
            key, variable = key_to_env["secretKey"], key_to_env["envVar"]
            if name in secrets and key in secrets[name]:
                env[variable] = secrets[name][key]
            elif not optional:
                what = f"secret {name!r} has no key {key!r}" if name in secrets else f"secret {name!r} not found"
                raise PodWouldNotStart(f"{executor}: {what} (for ${variable})")
    return env


def resolve_services(env: Mapping[str, str], services: Mapping[str, str]) -> dict[str, str]:
    """``env`` with every http(s) URL whose ``host:port`` is a key of ``services``
    pointed at that key's value (another ``host:port``)."""
    resolved = {}
    for name, value in env.items():
        parts = urllib.parse.urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc in services:
            value = urllib.parse.urlunsplit(parts._replace(netloc=services[parts.netloc]))
        resolved[name] = value
    return resolved


def with_cluster_env(
    pipeline_spec: Mapping, platform_spec: Mapping, secrets: Secrets, services: Mapping[str, str]
) -> dict:
    """A copy of ``pipeline_spec`` whose every executor's ``container.env`` is
    what that task's pod would get: the IR's env, then its secret env, with
    in-cluster service addresses resolved through ``services``."""
    spec = copy.deepcopy(dict(pipeline_spec))
    for executor, body in spec["deploymentSpec"]["executors"].items():
        container = body.get("container")
        if container is None:
            continue
        env = {item["name"]: item.get("value", "") for item in container.get("env", [])}
        env.update(secret_env(platform_spec, executor, secrets))
        container["env"] = [{"name": k, "value": v} for k, v in resolve_services(env, services).items()]
    return spec
