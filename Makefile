# kaohe: `make demo` installs everything into .venv, scores the seed's data, writes the bulletin
# and serves the web system with the demo data; `make test` runs all tests.
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
		--cutoff "2023 年 3 月 31 日下午 17：00" --period 一季度 \
		--narrative src/kaohe/samples/daye_2023q1_narrative.md --theme 开门红
	$(BIN)/kaohe serve --demo

# The web tests run a second time on PostgreSQL (127.0.0.1:5432, user postgres) when it answers;
# KAOHE_REQUIRE_POSTGRES=1 (CI) makes a missing server an error instead of a skip.
PG_UP := $(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 user=postgres dbname=test', connect_timeout=3).close()"

test: install
	$(BIN)/python -m pytest
	@if $(PG_UP) 2>/dev/null; then \
		echo "== 网站测试（PostgreSQL）"; KAOHE_TEST_DB=postgres $(BIN)/python -m pytest tests/web; \
	elif [ -n "$$KAOHE_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL 127.0.0.1:5432 无法连接" >&2; exit 1; \
	else \
		echo "PostgreSQL 127.0.0.1:5432 无法连接：跳过 PostgreSQL 上的网站测试"; \
	fi

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/bench_score.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_web.py

clean:
	rm -rf $(VENV) out kaohe-data build *.egg-info src/*.egg-info
