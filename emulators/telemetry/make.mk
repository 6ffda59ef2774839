# The telemetry receiver's long forms (emulators/telemetry/README.md). `make test` runs its tests and the
# end-to-end trace test (e2e/tests/test_traces.py); these targets are the slower extras.

.PHONY: traces-bite telemetry-bench

traces-bite: install ## the saga trace check with notification exporting to a closed port: must fail naming notification (a second platform launch, about a minute)
	SHOP_TRACES_BITE=1 $(BIN)/pytest e2e/tests/test_traces.py -k cannot_export -q

telemetry-bench: install ## the receiver's decode and HTTP throughput: spans/s and CPU s per 1000 spans, protobuf and JSON
	$(BIN)/python emulators/telemetry/bench/bench_receive.py
