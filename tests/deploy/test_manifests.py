"""deploy/compose.yml against the Compose specification and deploy/k8s/ against the Kubernetes
schemas (strict: an unknown field fails), offline; then the properties the design relies on:
durable Redis, health-gated start-up, probes on /health, workers that serve every Celery queue,
KEDA on the queue lists, resources sized to the measured RSS, settings names that exist."""
from __future__ import annotations

import copy
import re

import jsonschema
import kubernetes_validate
import pytest
from cloudcoil.models.keda.v1alpha1 import ScaledObject

from memq.settings import Settings
from tests.deploy.loaders import (DEPLOY, K8S, K8S_VERSION, compose, compose_schema, env_file, k8s_documents,
                                  k8s_object, kustomization, only_container, pod_containers)
from workers.celery_app import app as celery_app

QUEUES = {route["queue"] for route in celery_app.conf.task_routes.values()}
WORKER_QUEUES = {"ingest": {"ingest"}, "store": {"store", "query"}}
# RSS measured with `ps` on a running stack (memq.runner), warm and after 20 batches of 40 messages.
MEASURED_RSS_MB = {"api": 71, "ingest-parent": 90, "ingest-child": 563, "store": 575}


def settings_env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(f"MEMQ_{name.upper()}")
        names.update(getattr(field.validation_alias, "choices", []))
    return names


def queues_of(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(","))


def mebibytes(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    number, unit = re.fullmatch(r"([\d.]+)([A-Za-z]*)", str(quantity)).groups()
    return float(number) * units[unit] if unit else float(number) / 2**20


# ---------------------------------------------------------------- compose

def compose_errors(document: dict) -> list[str]:
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification():
    assert compose_errors(compose()) == []


def test_compose_schema_check_rejects_a_misspelt_key():
    broken = copy.deepcopy(compose())
    broken["services"]["api"]["healthcheck"]["intervall"] = "5s"
    assert compose_errors(broken)


def test_redis_appends_every_write_to_a_volume():
    redis = compose()["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command and "--appendfsync everysec" in command
    assert "--maxmemory-policy noeviction" in command  # queued work is never evicted
    data_dir = redis["command"][redis["command"].index("--dir") + 1]
    assert any(volume.endswith(f":{data_dir}") for volume in redis["volumes"])


def test_api_runs_two_replicas():
    assert compose()["services"]["api"]["deploy"]["replicas"] == 2


def test_every_long_running_service_has_a_healthcheck_and_waits_for_healthy_dependencies():
    services = compose()["services"]
    one_shot = {name for name, svc in services.items() if svc.get("restart") == "no"}
    assert one_shot == {"register-key"}
    for name, service in services.items():
        if name not in one_shot:
            assert service["healthcheck"]["test"], name
        for dependency, rule in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency in one_shot else "service_healthy"
            assert rule["condition"] == expected, (name, dependency)
    assert set(services["api"]["depends_on"]) >= {"redis", "worker-ingest", "worker-store", "register-key"}
    assert services["worker-store"]["depends_on"]["qdrant"]["condition"] == "service_healthy"


def test_required_variables_stop_compose_when_unset():
    text = (DEPLOY / "compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?[^}]+\}", text))
    assert {"MEMQ_API_KEY", "QDRANT_API_KEY", "FLOWER_BASIC_AUTH"} <= required
    # A secret with a silent default would start a deployment anyone can use.
    assert not re.search(r"\$\{(MEMQ_API_KEY|QDRANT_API_KEY|FLOWER_BASIC_AUTH):?-", text)


def test_compose_workers_serve_every_celery_queue_in_their_role():
    services = compose()["services"]
    served = set()
    for name, role in (("worker-ingest", "ingest"), ("worker-store", "store")):
        service = services[name]
        assert service["environment"]["MEMQ_WORKER_ROLE"] == role
        assert queues_of(service["command"]) == WORKER_QUEUES[role]
        served |= queues_of(service["command"])
    assert served == QUEUES
    assert services["worker-ingest"]["command"][services["worker-ingest"]["command"].index("--pool") + 1] == "prefork"
    # Many store workers are only safe against a shared Qdrant server.
    assert services["worker-store"]["environment"]["MEMQ_QDRANT_URL"].startswith("http://qdrant:")


def test_qdrant_is_the_official_image_with_a_volume():
    qdrant = compose()["services"]["qdrant"]
    assert qdrant["image"].startswith("qdrant/qdrant:v")
    assert any(volume.endswith(":/qdrant/storage") for volume in qdrant["volumes"])


def test_qdrant_server_versions_match_the_client():
    """qdrant-client warns against a server more than one minor version away."""
    from importlib.metadata import version

    client_minor = int(version("qdrant-client").split(".")[1])
    images = [compose()["services"]["qdrant"]["image"],
              only_container(k8s_object("StatefulSet", "qdrant"))["image"]]
    for image in images:
        major, minor = re.search(r":v(\d+)\.(\d+)\.", image).groups()
        assert major == "1" and abs(int(minor) - client_minor) <= 1, image


def test_flower_watches_the_workers_broker():
    services = compose()["services"]
    flower = services["flower"]
    assert flower["environment"]["CELERY_BROKER_URL"] == services["api"]["environment"]["MEMQ_REDIS_URL"]
    assert flower["ports"] == ["${FLOWER_PORT:-5555}:5555"]


def test_every_memq_variable_is_a_setting():
    known = settings_env_names()
    used = set()
    for service in compose()["services"].values():
        used |= {key for key in service.get("environment", {}) if key.startswith(("MEMQ_", "ANTHROPIC_"))}
    for generator in kustomization()["configMapGenerator"]:
        used |= {literal.split("=", 1)[0] for literal in generator["literals"]}
    used |= {k for k in env_file(K8S / "secrets.env.example") if k.startswith(("MEMQ_", "ANTHROPIC_"))}
    for _, doc in k8s_documents():
        if doc["kind"] == "Deployment":
            used |= {e["name"] for c in pod_containers(doc) for e in c.get("env", []) if e["name"].startswith("MEMQ_")}
    assert used and used <= known, used - known


# ---------------------------------------------------------------- kubernetes

KUSTOMIZE_FIELDS = {"apiVersion", "kind", "namespace", "labels", "resources", "configMapGenerator",
                    "secretGenerator", "images", "patches", "namePrefix", "nameSuffix", "commonAnnotations"}


def test_kustomization_lists_every_manifest_and_only_known_fields():
    listed = kustomization()["resources"]
    on_disk = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == on_disk
    assert set(kustomization()) <= KUSTOMIZE_FIELDS


def test_manifests_follow_the_kubernetes_schemas():
    kinds = set()
    for name, doc in k8s_documents():
        kinds.add(doc["kind"])
        if doc["apiVersion"].startswith("keda.sh/"):
            continue  # a custom resource: checked against KEDA's model below
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    assert {"Deployment", "StatefulSet", "Service", "ScaledObject", "Namespace"} <= kinds


def test_strict_kubernetes_validation_rejects_a_misspelt_field():
    broken = copy.deepcopy(k8s_object("Deployment", "api"))
    container = only_container(broken)
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def unknown_keys(given, kept, path="") -> list[str]:
    """Keys in the manifest that KEDA's model dropped: a typo there would be ignored by KEDA too."""
    if isinstance(given, dict):
        return [p for key, value in given.items() for p in
                ([f"{path}.{key}"] if key not in kept else unknown_keys(value, kept[key], f"{path}.{key}"))]
    if isinstance(given, list):
        return [p for i, (g, k) in enumerate(zip(given, kept)) for p in unknown_keys(g, k, f"{path}[{i}]")]
    return []


def scaled_objects() -> list[dict]:
    return [doc for _, doc in k8s_documents() if doc["kind"] == "ScaledObject"]


def keda_problems(doc: dict) -> list[str]:
    model = ScaledObject.model_validate(doc)  # raises on a wrong type or a missing required field
    return unknown_keys(doc, model.model_dump(by_alias=True, exclude_unset=True))


def test_scaled_objects_follow_the_keda_model():
    assert len(scaled_objects()) == 2
    for doc in scaled_objects():
        assert keda_problems(doc) == []
    broken = copy.deepcopy(scaled_objects()[0])
    broken["spec"]["minReplicas"] = 1
    assert keda_problems(broken) == [".spec.minReplicas"]


def test_keda_scales_each_worker_on_its_queue_lists():
    namespace = kustomization()["namespace"]
    assert k8s_object("Service", "redis")
    by_target = {doc["spec"]["scaleTargetRef"]["name"]: doc for doc in scaled_objects()}
    assert set(by_target) == {"worker-ingest", "worker-store"}
    for target, doc in by_target.items():
        command = only_container(k8s_object("Deployment", target))["command"]
        lists = {t["metadata"]["listName"] for t in doc["spec"]["triggers"]}
        assert all(t["type"] == "redis" for t in doc["spec"]["triggers"])
        assert lists <= queues_of(command) and lists  # scale on what this worker drains
        for trigger in doc["spec"]["triggers"]:
            assert trigger["metadata"]["address"] == f"redis.{namespace}.svc.cluster.local:6379"
            assert int(trigger["metadata"]["listLength"]) > 0
        assert doc["spec"]["minReplicaCount"] >= 1  # /health needs a warm worker of each role
    assert "ingest" in {t["metadata"]["listName"] for t in by_target["worker-ingest"]["spec"]["triggers"]}
    assert "store" in {t["metadata"]["listName"] for t in by_target["worker-store"]["spec"]["triggers"]}


def test_api_takes_traffic_on_health_and_runs_two_replicas():
    api = k8s_object("Deployment", "api")
    assert api["spec"]["replicas"] == 2
    assert k8s_object("HorizontalPodAutoscaler", "api")["spec"]["minReplicas"] >= 2
    container = only_container(api)
    probe = container["readinessProbe"]["httpGet"]
    assert probe["path"] == "/health"
    port = next(p for p in container["ports"] if p["name"] == probe["port"])
    assert port["containerPort"] == 8000 and container["command"][-3:-1] == ["--port", "8000"]
    assert k8s_object("Service", "api")["spec"]["ports"][0]["targetPort"] == probe["port"]


def test_k8s_workers_serve_every_celery_queue_in_their_role():
    served = set()
    for name, role in (("worker-ingest", "ingest"), ("worker-store", "store")):
        container = only_container(k8s_object("Deployment", name))
        assert {"name": "MEMQ_WORKER_ROLE", "value": role} in container["env"]
        assert queues_of(container["command"]) == WORKER_QUEUES[role]
        assert container["startupProbe"]["exec"]["command"] == ["python", "deploy/container.py", "worker"]
        served |= queues_of(container["command"])
    assert served == QUEUES
    literals = dict(lit.split("=", 1) for lit in kustomization()["configMapGenerator"][0]["literals"])
    assert literals["MEMQ_QDRANT_URL"] == "http://qdrant:6333" and k8s_object("Service", "qdrant")


def test_resources_cover_the_measured_rss():
    def memory(name, kind):
        return mebibytes(only_container(k8s_object("Deployment", name))["resources"][kind]["memory"])

    ingest = only_container(k8s_object("Deployment", "worker-ingest"))
    children = int(ingest["command"][ingest["command"].index("-c") + 1])
    need = {"api": MEASURED_RSS_MB["api"], "worker-store": MEASURED_RSS_MB["store"],
            "worker-ingest": MEASURED_RSS_MB["ingest-parent"] + children * MEASURED_RSS_MB["ingest-child"]}
    for name, rss in need.items():
        assert memory(name, "requests") >= rss, name  # the scheduler reserves what the pod uses
        assert memory(name, "limits") >= 1.3 * rss, name  # headroom before the OOM killer
    # One single-thread embedding process per requested CPU.
    assert float(ingest["resources"]["requests"]["cpu"]) == children


def test_pods_run_unprivileged():
    for _, doc in k8s_documents():
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        assert doc["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
        for container in pod_containers(doc):
            assert "memory" in container["resources"]["limits"], container["name"]
            if container["image"] == "memq":
                assert container["securityContext"]["readOnlyRootFilesystem"] is True
                assert container["securityContext"]["allowPrivilegeEscalation"] is False
                assert {"name": "tmp", "mountPath": "/tmp"} in container.get("volumeMounts", []) \
                    or container["name"] == "register-key"


def test_config_and_secret_references_resolve():
    config_maps = {g["name"] for g in kustomization()["configMapGenerator"]}
    secrets = {g["name"] for g in kustomization()["secretGenerator"]}
    example = env_file(K8S / "secrets.env.example")
    assert "secrets.env" in (K8S / ".gitignore").read_text().split()
    assert [g["envs"] for g in kustomization()["secretGenerator"]] == [["secrets.env"]]
    for _, doc in k8s_documents():
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for container in pod_containers(doc):
            for source in container.get("envFrom", []):
                assert source.get("configMapRef", {}).get("name", next(iter(config_maps))) in config_maps
                assert source.get("secretRef", {}).get("name", next(iter(secrets))) in secrets
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secrets and ref["key"] in example, var


def test_images_are_pinned():
    memq_images = {image["name"] for image in kustomization()["images"]}
    for _, doc in k8s_documents():
        if doc["kind"] in ("Deployment", "StatefulSet"):
            for container in pod_containers(doc):
                image = container["image"]
                assert image in memq_images or re.fullmatch(r"[\w./-]+:v?\d+[\w.-]*", image), image
    assert all(image["newTag"] != "latest" for image in kustomization()["images"])


def test_k8s_redis_keeps_an_append_only_file_on_a_volume():
    redis = k8s_object("StatefulSet", "redis")
    args = " ".join(only_container(redis)["args"])
    assert "--appendonly yes" in args and "--appendfsync everysec" in args and "--dir /data" in args
    assert {"name": "data", "mountPath": "/data"} in only_container(redis)["volumeMounts"]
    assert redis["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
