# The notification service's long forms (services/notification/README.md). `make test` runs its tests/.
.PHONY: notification-bench

notification-bench: install ## notification, mailbox, Azurite, Event Hubs: CPU ms per event, Azurite requests and RSS (ARGS="--orders 300 --rate 40 --profile DIR")
	$(BIN)/python services/notification/bench/bench_events.py $(ARGS)
