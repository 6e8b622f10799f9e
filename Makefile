# Two commands on a fresh machine with Python 3.11+ and make: `make demo` (the full Falcon 9 RTLS
# flight, plots and trajectory in out/demo) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out/demo
# type-checked in `make test`: the packages of the GNC loop and the kernels' wrapper, the 6-DoF
# flight, the payload and the economics
TYPED := src/boostback/gnc src/boostback/plant src/boostback/control src/boostback/mission \
	src/boostback/jit.py src/boostback/aot.py src/boostback/aot_build.py \
	src/boostback/dynamics/state.py src/boostback/guidance/lcvx_guidance.py \
	src/boostback/flight/integrate.py src/boostback/flight/reserve.py \
	src/boostback/flight/landing_plant.py src/boostback/flight/ecef_plant.py \
	src/boostback/flight/boostback.py src/boostback/flight/ascent_loop.py \
	src/boostback/flight/descent.py src/boostback/guidance/burns.py \
	src/boostback/flight/rigid_recovery.py src/boostback/flight/rigid_steering.py \
	src/boostback/flight/rigid_plant.py src/boostback/flight/rigid_flip.py \
	src/boostback/flight/touchdown.py src/boostback/timing.py \
	src/boostback/payload src/boostback/economics

.PHONY: demo test lint format bench clean dask validate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "boostback: installing into $(VENV) (a minute or two, the first time only)"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@echo "boostback: flying a whole Falcon 9 RTLS mission (the first run compiles the kernels,"
	@echo "about a minute here, and it says so; later runs take a few seconds)"
	$(BIN)/boostback fly falcon9 --recovery rtls --out $(OUT) --report
	@echo ""
	@echo "Report: $(OUT)/report.html (open it in a browser; plots and data beside it)"
	@echo "Next:   . $(VENV)/bin/activate    # puts the boostback command on PATH"
	@echo "        boostback land falcon9"
	@echo "        boostback mc run examples/falcon9_landing_dispersions.toml --out out/f9_mc"

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks validation
	$(BIN)/ruff format --check src tests benchmarks validation
	$(BIN)/mypy $(TYPED)
	bash scripts/ensure-chromium.sh
	-$(BIN)/python -m boostback.aot_build --quiet
	$(BIN)/python -m pytest -q

# the Dask extra, for campaigns on a Dask cluster (`make test` installs it with the dev extras)
dask: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dask]'

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks validation
	$(BIN)/ruff format --check src tests benchmarks validation
	$(BIN)/mypy $(TYPED)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests benchmarks validation
	$(BIN)/ruff check --fix src tests benchmarks validation

bench: $(VENV)/.installed-dev
	-$(BIN)/python -m boostback.aot_build --quiet
	$(BIN)/python -m benchmarks

# the held-out real flights (validation/): designed from mission data, flown, compared with their
# webcast telemetry (DOF=6 for the rigid booster)
validate: $(VENV)/.installed
	$(BIN)/python validation/run.py --shared --dof $(or $(DOF),3)

# this checkout against the pre-refactor commit (BASELINE=REV for another), interleaved, one run
.PHONY: bench-compare
bench-compare: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.compare $(if $(BASELINE),--baseline $(BASELINE))

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
