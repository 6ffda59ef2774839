# The order service's benchmarks (services/order/README.md, Cost), each against the real product service
# and emulators on free ports. Not part of `make test`: they print figures, they assert none.
#   ORDER_BENCH_ARGS   more arguments, e.g. "--orders 800 --gets 8000 --concurrency 16", the saga under
#                      load "--load-seconds 30 --shoppers 48 --hog 1", before and after in one run
#                      "--entry /tmp/base/services/order/dist/index.js --rounds 2", a setting
#                      "--env ORDER_OUTBOX_GATHER_MS=10", a Node.js flag "--node-arg=--max-semi-space-size=4"
ORDER_BENCH_ARGS ?=

.PHONY: order-bench-cpu

order-bench-cpu: install ## order service: CPU ms per POST /orders, GET /orders/{id} and payment outcome, saga latency, start-up, RSS (compiled)
	npm run build --workspace services/order --silent
	npm run bench:cpu --workspace services/order --silent -- --entry dist/index.js $(ORDER_BENCH_ARGS)
