# The product service's long forms (services/product/README.md). `make test` runs services/product/tests.
.PHONY: product-bench product-bench-latency

product-bench: install ## product: CPU ms per request per route, product process and Cosmos DB server (ARGS="--requests 1500")
	$(BIN)/python services/product/bench/bench_cpu.py $(ARGS)

product-bench-latency: install ## product: read-path req/s and p50/p95/p99 (ARGS="--url http://127.0.0.1:8001")
	$(BIN)/python services/product/bench/bench_api.py $(ARGS)
