"""Every value the pipeline writes into an Azure overlay's azure.env reaches the rendered objects, and no
placeholder of the azure component is left."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shopk8s.manifests import render


def _with_markers(overlay: Path) -> dict[str, str]:
    """Rewrites azure.env with a distinct value per key; returns key -> value."""
    env_file = overlay / "azure.env"
    markers = {}
    lines = []
    for line in env_file.read_text().splitlines():
        if line and not line.startswith("#"):
            key = line.split("=", 1)[0]
            markers[key] = f"marker-{key.lower().replace('_', '-')}"
            line = f"{key}={markers[key]}"
        lines.append(line)
    env_file.write_text("\n".join(lines) + "\n")
    return markers


@pytest.mark.parametrize("overlay", ["dev", "staging", "prod"])
def test_every_azure_value_is_used_and_no_placeholder_is_left(k8s_copy: Path, overlay: str) -> None:
    markers = _with_markers(k8s_copy / "overlays" / overlay)
    output = yaml.safe_dump_all(render(k8s_copy / "overlays" / overlay))
    assert [key for key, marker in markers.items() if marker not in output] == []
    assert "placeholder" not in output
    assert "azure-values" not in output


def test_a_value_no_replacement_carries_is_reported(k8s_copy: Path) -> None:
    replacements = k8s_copy / "components" / "azure" / "replacements.yaml"
    text = replacements.read_text()
    start = text.index(
        "- source:\n    kind: ConfigMap\n    name: azure-values\n    fieldPath: data.KEY_VAULT_NAME"
    )
    end = text.index("- source:", start + 1)
    replacements.write_text(text[:start] + text[end:])
    markers = _with_markers(k8s_copy / "overlays" / "dev")
    output = yaml.safe_dump_all(render(k8s_copy / "overlays" / "dev"))
    assert [key for key, marker in markers.items() if marker not in output] == ["KEY_VAULT_NAME"]
    assert "placeholder" in output
