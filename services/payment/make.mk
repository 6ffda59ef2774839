# The payment service's long forms (services/payment/README.md). `make test` runs services/payment/tests.
.PHONY: payment-bench

payment-bench: install ## payment worker: CPU ms and Table round trips per payment (ARGS="--payments 500 --rate 50 --profile worker.svg")
	$(BIN)/python services/payment/bench/bench_worker.py $(ARGS)
