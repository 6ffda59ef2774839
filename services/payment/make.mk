# The payment service's long forms (services/payment/README.md). `make test` runs services/payment/tests.
.PHONY: payment-bench payment-ledger-bench

payment-bench: install ## payment worker and Service Bus emulator: CPU ms, Table round trips and latency per payment (ARGS="--payments 500 --rate 50 --profile worker.svg --profile-emulator sb.svg --code-from /tmp/base")
	$(BIN)/python services/payment/bench/bench_worker.py $(ARGS)

payment-ledger-bench: install ## Azurite's CPU ms per payment's ledger writes as the ledger grows, by RowKey scheme (ARGS="--rows 1000,5000,10000 --payments 1000")
	$(BIN)/python services/payment/bench/bench_ledger_growth.py $(ARGS)
