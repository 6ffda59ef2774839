"""Local stand-in of the release-approval flow.

Contract: power-platform/approvals/release-approval.openapi.yaml.
"""
