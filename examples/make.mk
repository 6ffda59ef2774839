# The seven examples (examples/README.md): each validated like its real artifact and kept in step with it.
.PHONY: examples-check

examples-check: install ## validate the examples and check them against the artifacts they are drawn from
	$(BIN)/pytest examples/tests -q
