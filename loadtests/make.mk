# The load gate (loadtests/README.md). `make test` runs only the smoke (loadtests/tests).
# USERS / TIME override the user count and run time; ARGS passes more (e.g. ARGS="--target staging.env").
.PHONY: load load-gate load-curve load-floor

LOAD_USERS ?= $(if $(USERS),--users $(USERS))
LOAD_TIME ?= $(if $(TIME),--time $(TIME))

load: install ## load run: 60 users for 60 s against the local platform (started if needed); HTML, CSV, JSON in loadtests/results/run/
	$(BIN)/shop-load run $(LOAD_USERS) $(LOAD_TIME) $(ARGS)

load-gate: install ## the load gate for pipelines: 150 users for 60 s, exit 1 when a threshold of loadtests/thresholds.yaml is missed
	$(BIN)/shop-load gate $(LOAD_USERS) $(LOAD_TIME) $(ARGS)

load-curve: install ## capacity curve: users in steps (loadtests/src/shoploads/shape.py), loadtests/results/curve/curve.png
	$(BIN)/shop-load curve $(ARGS)

load-floor: install ## the floor under the gate's CPU per order: each Azure call one order makes, alone (ARGS="--calls 2000 --rounds 3")
	$(BIN)/python loadtests/floor/saga_floor.py $(ARGS)
