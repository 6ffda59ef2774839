# Release pipelines (pipelines/README.md): offline checks of both implementations.
.PHONY: pipelines-check

pipelines-check: install ## Azure DevOps schema (templates expanded), action pins, permissions, parity, actionlint
	$(BIN)/shop-pipelines check
