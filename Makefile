# 足利市 電子契約ポータル — the two commands: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
HOST ?= 127.0.0.1
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test install lint format migrate seed clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p $(VAR_DIR)/mail $(VAR_DIR)/media $(VAR_DIR)/celery/queue $(VAR_DIR)/celery/processed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  足利市 電子契約ポータル: http://$(HOST):$(PORT)/"
	@echo "  管理画面:               http://$(HOST):$(PORT)/admin/"
	@echo "  送信メール:             $(VAR_DIR)/mail/ に保存されます"
	@echo "  終了: Ctrl-C"
	@echo ""
	WEB_BIND=$(HOST):$(PORT) SITE_URL=http://$(HOST):$(PORT) \
		CLOUDSIGN_API_BASE=$${CLOUDSIGN_API_BASE:-http://$(HOST):$(PORT)/sandbox/cloudsign} \
		$(BIN)/honcho start -f Procfile

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/ .pytest_cache .ruff_cache staticfiles
