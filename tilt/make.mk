# The Tiltfile's long form (tilt/README.md). Its checks run in `make test` (tilt/tests).
.PHONY: tilt-plan

tilt-plan: install ## what `tilt up` would declare (ARGS=--mode=process for process mode), evaluated without Tilt
	$(BIN)/python -m shoptilt $(ARGS)
