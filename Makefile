# 足利市 電子契約ポータル — the two commands: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) | cksum | cut -d' ' -f1)
# The lock is universal (one file for every supported Python); `make lock` refreshes it and
# `make lock UPGRADE=cryptography` moves one dependency.
LOCK_PYTHONS := 3.11 3.12 3.13
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet
# Three workers on the CI machine's two cores: the real-worker and outage tests spend most of their
# time waiting (a lease to lapse, a service to come back), and a third worker fills that time
# (PostgreSQL run: 376 s with two, 332 s with three, 334 s with four). `PYTEST_WORKERS=0` runs serially.
PYTEST_WORKERS ?= 3
# The suite keeps Python's bytecode cache even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): otherwise each of the workers, and every subprocess a test starts,
# compiles the project and rewrites the assertions of ~550 test modules again (5-10 s each).
PORT ?= 8000
HOST ?= 127.0.0.1
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test install lint format migrate seed clean lock lock-check bench-smoke version

$(STAMP): $(LOCK)
	@rm -f $(VENV)/.installed-*
	@scripts/venv.sh
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p $(VAR_DIR)/mail $(VAR_DIR)/media $(VAR_DIR)/celery/queue $(VAR_DIR)/celery/processed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py sandbox_register_webhook
	@echo ""
	@echo "  足利市 電子契約ポータル: http://$(HOST):$(PORT)/"
	@echo "  管理画面:               http://$(HOST):$(PORT)/admin/"
	@echo "  送信メール:             $(VAR_DIR)/mail/ に保存されます"
	@echo "  終了: Ctrl-C"
	@echo ""
	PORTAL_ERROR_PAGES_IN_DEBUG=$${PORTAL_ERROR_PAGES_IN_DEBUG:-1} WEB_BIND=$(HOST):$(PORT) SITE_URL=http://$(HOST):$(PORT) \
		CLOUDSIGN_API_BASE=$${CLOUDSIGN_API_BASE:-http://$(HOST):$(PORT)/sandbox/cloudsign} \
		exec $(BIN)/python scripts/run_procfile.py -f Procfile

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/lock_check.py
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(if $(filter-out 0,$(PYTEST_WORKERS)),--dist worksteal)

# Refreshes requirements.lock from pyproject.toml (every pin kept unless UPGRADE names it).
lock: install
	$(UV_COMPILE) --universal --python-version 3.11 $(if $(UPGRADE),--upgrade-package $(UPGRADE)) -o $(LOCK)
	@$(MAKE) --no-print-directory lock-check

# Shows that the lock's pins resolve on each supported Python (no download beyond metadata).
lock-check: install
	@for v in $(LOCK_PYTHONS); do \
		$(UV_COMPILE) --python-version $$v --constraint $(LOCK) -o /dev/null \
			&& echo "lock: resolves for Python $$v" || exit 1; \
	done

# Every bench script in its smoke mode (seconds, tiny data): run by CI so that none can rot.
bench-smoke: install
	@for b in bench/*.py; do \
		case $$b in bench/_*|bench/__init__.py) continue;; esac; \
		echo "== $$b --smoke"; $(BIN)/python $$b --smoke || exit 1; \
	done

version: install
	@$(BIN)/python manage.py version

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ .venv/ .pytest_cache .ruff_cache staticfiles test-output
