# Fuzzing the AMQP core and the Service Bus SQL filters (emulators/fuzz/README.md). `make test` only
# replays the corpora and saved crashes and runs a short abuse test; these targets are the long forms.
#   FUZZ_SECONDS         seconds of fuzzing per target (default 60; five targets: about 5 minutes)
#   FUZZ_TARGETS         which targets (default: codec message frame handshake sql)
#   FUZZ_ABUSE_SECONDS   length of the socket-level abuse run (default 120)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= codec message frame handshake sql
FUZZ_ABUSE_SECONDS ?= 120

.PHONY: fuzz fuzz-targets fuzz-abuse fuzz-capture

fuzz: fuzz-targets fuzz-abuse ## fuzz every target for FUZZ_SECONDS each (crashes saved in emulators/fuzz/crashes/<target>/), then the long abuse run

fuzz-targets: install ## only the coverage-guided targets, FUZZ_SECONDS each; fails if any found a crash, hang or memory blow-up
	@status=0; for target in $(FUZZ_TARGETS); do \
		echo "== fuzz $$target for $(FUZZ_SECONDS) s"; \
		$(BIN)/python -m emulator_fuzz.runner $$target --seconds $(FUZZ_SECONDS) || status=1; \
	done; exit $$status

fuzz-abuse: install ## hostile raw-socket clients on both emulators for FUZZ_ABUSE_SECONDS while SDK clients work; prints latencies and RSS
	$(BIN)/python -m emulator_fuzz.abuse --seconds $(FUZZ_ABUSE_SECONDS)

fuzz-capture: install ## re-record the SDK frame corpora (both emulators on loopback) and re-seed the SQL corpus
	$(BIN)/python -m emulator_fuzz.capture
	$(BIN)/python -m emulator_fuzz.sql_seeds
