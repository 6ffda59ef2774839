# The chaos gate (chaos/README.md). The short set runs in `make test` (chaos/tests).
.PHONY: chaos chaos-short chaos-validate

chaos: install ## chaos gate: every experiment of chaos/experiments against the local platform (started if needed); journals + report in chaos/results/
	$(BIN)/python -m shopchaos run $(ARGS)

chaos-short: install ## the chaos experiments tagged `short` only
	$(BIN)/python -m shopchaos run --short $(ARGS)

chaos-validate: install ## validate the chaos experiment files (no platform needed)
	$(BIN)/python -m shopchaos validate
