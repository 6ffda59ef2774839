# Azure infrastructure (infra/README.md). The same checks run in `make test` (infra/tools/tests).
.PHONY: infra-check infra-check-fast infra-test

infra-check: install ## Bicep offline checks: parse, Azure resource types, params, messaging drift, checkov
	$(BIN)/shop-infra-check

infra-check-fast: install ## infra-check without checkov
	$(BIN)/shop-infra-check --no-checkov

infra-test: install ## the infra tool's tests, including the scripts against fake-az
	$(BIN)/pytest infra/tools/tests -q
