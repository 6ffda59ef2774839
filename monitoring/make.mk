# Monitoring (monitoring/README.md): rules, dashboards, Prometheus config and Azure Monitor modules.
.PHONY: monitoring-generate monitoring-check monitoring-test monitoring-platform monitoring-prometheus \
	monitoring-verify monitoring-render

PROMETHEUS ?= http://127.0.0.1:9090
# every committed dashboard by default; e.g. DASHBOARDS=shop-saga for one
DASHBOARDS ?= $(basename $(notdir $(wildcard monitoring/grafana/dashboards/*.json)))
RENDER_RANGE ?= 15m

monitoring-generate: install ## regenerate rules, PrometheusRule, Azure rule groups, dashboards (commit the result)
	$(BIN)/shop-monitoring generate

monitoring-check: install ## promtool check + test rules; the generated files are current
	$(BIN)/shop-monitoring generate --check
	promtool check rules monitoring/prometheus/rules.yml
	cd monitoring/prometheus/rule-tests && for tests in *.yml; do promtool test rules "$$tests"; done

monitoring-test: install ## monitoring/tests (make test runs them too)
	$(BIN)/pytest monitoring/tests -q

monitoring-platform: install ## conventions + Prometheus against every component serving /metrics (~1 min)
	SHOP_MONITORING_COMPONENTS=servicebus,eventhubs,product,order,payment,payment-worker,notification \
		$(BIN)/pytest monitoring/tests/test_platform_metrics.py -q

monitoring-prometheus: install ## Prometheus on :9090 for a platform already up (`make up ARGS=--detach`)
	$(BIN)/shop-monitoring prometheus --platform harness/platform.yaml --data-dir .shop/data/prometheus \
		--listen 127.0.0.1:9090

monitoring-verify: install ## every Prometheus target up, every dashboard query with data (PROMETHEUS=url)
	$(BIN)/shop-monitoring verify --prometheus $(PROMETHEUS) --wait 30

monitoring-render: install ## draw dashboards from Prometheus into monitoring/results/<uid>.png (DASHBOARDS, RENDER_RANGE)
	for uid in $(DASHBOARDS); do \
		$(BIN)/shop-monitoring render --prometheus $(PROMETHEUS) --dashboard "$$uid" --range $(RENDER_RANGE) \
			--out "monitoring/results/$$uid.png" || exit 1; \
	done
