# The long forms of the tracing and contract-validation measurements (libs/servicekit/README.md, "Benchmark"); never part of `make test`.
#   TRACING_BENCH_ARGS   extra arguments, e.g. --requests 2000 --rounds 3 --baseline-src DIR
TRACING_BENCH_ARGS ?=
#   CONTRACTS_BENCH_ARGS extra arguments, e.g. --calls 2000 --rounds 3 --baseline FILE
CONTRACTS_BENCH_ARGS ?=

.PHONY: bench-tracing bench-contracts

bench-tracing: install ## CPU ms per product request with tracing off (no exporter) and on (OTLP to a local sink)
	$(BIN)/python libs/servicekit/bench/tracing_overhead.py $(TRACING_BENCH_ARGS)

bench-contracts: install ## CPU ms per message-contract validation, valid and invalid messages (CONTRACTS_BENCH_ARGS="--baseline FILE")
	$(BIN)/python libs/servicekit/bench/contract_validation.py $(CONTRACTS_BENCH_ARGS)
