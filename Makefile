# lainbench: `make report` builds the benchmark pack on the bundled demo data (from the demo
# members' returns; `make report-pooled` from the pooled invoices); `make test` runs
# every test, notebooks included. Both create .venv on first use. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo/invoice_payment.parquet
RETURNS := data/demo/returns/.built
OUT    ?= reports

.DEFAULT_GOAL := help
.PHONY: help install demo returns report report-pooled run test test-fast lint lab benchmarks clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), f"Python 3.11+ needed, found {sys.version.split()[0]}; run: make PYTHON=python3.11 ..."'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -c "from lainbench.runner import ensure_kernel; ensure_kernel()"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install lainbench with its test tools

$(DEMO): $(STAMP) $(wildcard lainbench/demo/*.py)
	$(BIN)/lainbench demo --out data/demo

demo: $(DEMO) ## generate the synthetic demo data (data/demo/, about 200,000 invoices)

# Each demo member builds its own return (lainbench return build), as members would where their data is.
$(RETURNS): $(DEMO) $(wildcard lainbench/returns/*.py) params/member_return.yaml
	$(BIN)/python -m lainbench.demo.returns --data data/demo --out data/demo/returns
	@touch $@

returns: $(RETURNS) ## build the 12 demo members' returns (data/demo/returns/*.return.zip)

report: $(RETURNS) ## build the benchmark pack from members' returns (reports/pack) and the full payment report (internal)
	$(BIN)/lainbench pack params/pack_returns.yaml --out $(OUT)/pack
	$(BIN)/lainbench run payment_performance --out $(OUT)/payment_performance

report-pooled: $(DEMO) ## build the pack from the pooled invoices instead (reports/pack_pooled, notebooks 02-04 too)
	$(BIN)/lainbench pack params/pack.yaml --out $(OUT)/pack_pooled

# The member-scorecard notebook reads a pack's shared tables, so the notebook tests need one.
$(OUT)/pack/index.html: $(RETURNS)
	$(BIN)/lainbench pack params/pack_returns.yaml --out $(OUT)/pack

run: $(DEMO) ## run one notebook: make run NAME=payment_performance
	$(BIN)/lainbench run $(NAME) --out $(OUT)/$(NAME)

test: $(DEMO) $(OUT)/pack/index.html ## run every test: import layers, unit, doctests, notebooks (nbval), browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --nbval-lax

test-fast: $(STAMP) ## unit tests and doctests only
	$(BIN)/python -m pytest -m "not notebook and not browser" -p no:nbval tests lainbench

lint: $(STAMP) ## ruff on the package, tests and benchmarks; import-linter on the layers
	$(BIN)/ruff check lainbench tests benchmarks
	$(BIN)/lint-imports

lab: $(DEMO) ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

benchmarks: $(STAMP) ## run the speed and memory benchmarks (slow; figures in benchmarks/README.md)
	$(BIN)/python benchmarks/payment_metrics.py
	$(BIN)/python benchmarks/cashflow_mc.py
	$(BIN)/python benchmarks/ingest_invoices.py
	$(BIN)/python benchmarks/pack.py
	$(BIN)/python benchmarks/returns.py
	$(BIN)/python benchmarks/ocds_ingest.py

clean: ## remove generated data and reports (keeps .venv)
	rm -rf reports data/demo
