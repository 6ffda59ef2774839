# Kubernetes manifests and images (k8s/README.md).
.PHONY: k8s-validate k8s-render

k8s-validate: install ## render every overlay; schemas, policies, network flows, checkov, bake targets
	$(BIN)/pytest k8s/tests -q

k8s-render: install ## print an overlay's objects: make k8s-render OVERLAY=kind
	kubectl kustomize --load-restrictor LoadRestrictionsNone k8s/overlays/$(or $(OVERLAY),kind)
