# kaohe: `make demo` installs everything into .venv and runs the seed's data; `make test` runs all tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kaohe 需要 Python 3.11 或更高版本")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

SEED := src/kaohe/samples/daye_2023q1_long.csv

demo: install
	$(BIN)/kaohe score $(SEED) --scheme daye-2023 --out-dir out
	$(BIN)/kaohe report $(SEED) --scheme daye-2023 -o out/通报 --date 2023年4月21日 \
		--cutoff "2023 年 3 月 31 日下午 17：00" --period 一季度

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/bench_score.py
	$(BIN)/python bench/bench_report.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
