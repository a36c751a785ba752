"""Loading the deploy artefacts (cached: callers that change one deep-copy it first) and the schemas they are checked against, all from disk: the
Compose specification schema ships in check-jsonschema, the Kubernetes schemas in
kubernetes-validate, the KEDA ScaledObject model in cloudcoil-models-keda. Nothing is downloaded."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
# The oldest Kubernetes the manifests promise to work on (HPA v2, seccompProfile, startupProbe).
K8S_VERSION = "1.30"


@cache
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


@cache
def compose_schema() -> dict:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendored / "compose-spec.json").read_text())


@cache
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


@cache
def k8s_documents() -> list[tuple[str, dict]]:
    """(file name, document) for every resource the kustomization lists, in its order."""
    docs = []
    for name in kustomization()["resources"]:
        docs += [(name, doc) for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]
    return docs


def k8s_object(kind: str, name: str) -> dict:
    found = [doc for _, doc in k8s_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_containers(workload: dict) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def only_container(workload: dict) -> dict:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}
