# The long form of the tracing measurements (libs/servicekit/README.md, "Benchmark"); never part of `make test`.
#   TRACING_BENCH_ARGS   extra arguments, e.g. --requests 2000 --rounds 3 --baseline-src DIR
TRACING_BENCH_ARGS ?=

.PHONY: bench-tracing

bench-tracing: install ## CPU ms per product request with tracing off (no exporter) and on (OTLP to a local sink)
	$(BIN)/python libs/servicekit/bench/tracing_overhead.py $(TRACING_BENCH_ARGS)
