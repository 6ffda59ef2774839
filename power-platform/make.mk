# Power Platform (power-platform/README.md). Its tests (validators, approvals, connector, ALM) run in
# `make test`; these targets are the long forms.
.PHONY: power-platform-check power-platform-connector power-platform-connector-check power-platform-approvals

power-platform-check: install ## validate every Power Platform source (solutions, connector, settings, Power BI, Fabric)
	$(BIN)/shop-power-validate

power-platform-connector: install ## regenerate the custom connector from the services' OpenAPI documents
	$(BIN)/shop-connector-generate

power-platform-connector-check: install ## fail if the custom connector is not what the services' documents generate
	$(BIN)/shop-connector-generate --check

power-platform-approvals: install ## run the release-approval stand-in alone on :7075 (also a `make up` component)
	$(BIN)/release-approvals-standin --port 7075
