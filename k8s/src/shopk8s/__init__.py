"""Offline checks of the shop's Kubernetes manifests and images: render, schema-validate, policy, checkov."""
