# memq: `make run` starts everything on an embedded default; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-unit eval bench soak clean

# The virtualenv is (re)built whenever pyproject.toml changes. torch is pinned to the CPU wheel
# 2.13.0 in pyproject.toml: an unpinned torch would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	HF_HUB_OFFLINE=1 $(PY) -m memq.runner

test: install
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

test-unit: install
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q tests/unit

# The deploy artefacts, offline: compose.yml against the Compose specification, deploy/k8s against
# the Kubernetes schemas and KEDA's model, the Dockerfile's rules (no Docker engine needed).
.PHONY: validate-deploy
validate-deploy: install
	$(PY) -m pytest -q -m "not integration" tests/deploy

clean:
	rm -rf $(VENV) data .pytest_cache

# Retrieval quality on LoCoMo and LongMemEval against the raw-turn baseline (the reference
# scorer's protocol). Heavy (thousands of messages): niced, so it shares the cores politely.
SHARED  ?= ../shared
MEMEVAL ?= $(SHARED)/tools/memeval.py
LOCOMO  ?= $(SHARED)/data/locomo/locomo_dev.json
LME     ?= $(SHARED)/data/longmemeval/oracle_dev.json
EVAL_ARGS ?=
eval: install
	HF_HUB_OFFLINE=1 nice -n 10 $(PY) -m eval.run --memeval $(MEMEVAL) --locomo $(LOCOMO) --lme $(LME) $(EVAL_ARGS)

# Reliability soak (not part of `make test`): load + a worker killed every minute; 0 lost, 0 duplicated.
soak: install
	HF_HUB_OFFLINE=1 $(PY) -m bench.soak --minutes $${SOAK_MINUTES:-10} --kill-every $${SOAK_KILL_EVERY:-60}

# Performance, each figure beside its reference measured in the same run (bench/run.py): intake
# vs a bare FastAPI+LPUSH app under wrk, end to end vs the embedder alone, time to searchable,
# search, RSS, and mem0 as a peer. mem0 and the chitchat dataset go into .cache/bench-venv, never
# into .venv. Writes bench/results.json and prints the markdown table. A few minutes on 2 cores.
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || { echo "make bench loads the API with wrk: apt-get install wrk"; exit 1; }
	HF_HUB_OFFLINE=1 $(PY) -m bench.run $(BENCH_ARGS)

# Search latency in the embedded default at 10k and 100k stored memories (the searched user
# holds 1,000), with filters: p50/p95 wall and CPU time, and where a search spends it. Not a test.
SEARCH_BENCH_ARGS ?=
bench-search: install
	HF_HUB_OFFLINE=1 $(PY) -m bench.search_bench $(SEARCH_BENCH_ARGS)
