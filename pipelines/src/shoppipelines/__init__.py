"""Offline checks of the release pipelines: Azure DevOps templates expanded and schema-validated, GitHub
workflows pinned and least-privileged, and the two implementations compared stage by stage."""
