# Two commands matter: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEV_ENV := DEBUG=1
# `make run PORT=8001` (or PORT=8001 make run) when 8000 is taken.
PORT ?= 8000

.PHONY: run test demo lint css page-weight messages migrate check-migrations bench faults admin-scale case-queues export-bench audit mutation clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

messages: $(STAMP)
	$(PY) scripts/compile_messages.py

migrate: $(STAMP) messages
	$(DEV_ENV) $(PY) manage.py migrate --noinput

run: migrate
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

demo: migrate
	$(DEV_ENV) $(PY) manage.py seed_demo

test: $(STAMP) messages
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m bandit --quiet --recursive complaints monitoring allforrwanda --exclude '*/migrations/*' --severity-level high
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Bytes of every public page as served in production (bench/page_weight.py).
page-weight: $(STAMP) messages
	$(PY) bench/page_weight.py

# Trim Bootstrap to the classes the public pages use (needs npm; the result is committed).
css: $(STAMP)
	cd css && npm install --no-audit --no-fund --silent && \
	CRISPY_TEMPLATES=$$(../$(PY) -c "import crispy_bootstrap5, os; print(os.path.join(os.path.dirname(crispy_bootstrap5.__file__), 'templates'))") \
	npx purgecss --config purgecss.config.cjs

lint: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Known vulnerabilities in the pinned dependencies: needs PyPI's JSON API (see README).
audit: $(STAMP)
	$(PY) -m pip_audit --progress-spinner off --local

# Mutation testing of the safety-critical modules (slow: minutes per module; not part of `make test`).
# One module: make mutation MODULES=complaints/receipts.py
mutation: $(STAMP) messages
	$(PY) scripts/mutation.py $(MODULES)

bench: $(STAMP) messages
	$(PY) bench/submission_cost.py

# Database connections cut, the database stopped and frozen, Redis killed, while people file
# (about two minutes; PostgreSQL and Redis on this machine, through proxies; see bench/faults.py).
faults: $(STAMP) messages
	$(PY) bench/faults.py

# The staff admin at 100,000 and 1,000,000 complaints on PostgreSQL (long: generating a million
# complaints through the model layer takes a while; SCALE_SIZES=20000,100000 for a quicker look).
admin-scale: $(STAMP) messages
	$(PY) bench/admin_scale.py

# Case-list exports at 1,000,000 complaints on PostgreSQL against COPY (long: most of it generating).
export-bench: $(STAMP) messages
	$(PY) bench/export.py

# The Committee's queues at 100,000 complaints on PostgreSQL, as the chair and as a rapporteur
# (several minutes, most of them generating the cases; QUEUES_SIZE=20000 for a quicker look).
case-queues: $(STAMP) messages
	$(PY) bench/case_queues.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 private
