"""The release manifest: the digest of every image of a release, recorded once after the push.

Later stages deploy by digest (`registry/contoso-shop/product@sha256:...`), so what reaches prod is
byte-for-byte what passed the gates. Written from `docker buildx bake --metadata-file` output:
`{"product": {"containerimage.digest": "sha256:...", "image.name": "contoso-shop/product:<commit>"}}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopops.errors import RefusedInputError

SCHEMA = "contoso-shop/release-manifest/v1"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Image:
    repository: str
    digest: str


@dataclass(frozen=True)
class ReleaseManifest:
    commit: str
    registry: str
    images: dict[str, Image]

    def reference(self, service: str) -> str:
        image = self.images[service]
        return f"{self.registry}/{image.repository}@{image.digest}"

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "commit": self.commit,
            "registry": self.registry,
            "images": {
                name: {"repository": image.repository, "digest": image.digest}
                for name, image in sorted(self.images.items())
            },
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"


def parse(data: object, source: str) -> ReleaseManifest:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise RefusedInputError(f"{source}: not a release manifest (schema must be {SCHEMA})")
    images: dict[str, Image] = {}
    for name, image in (data.get("images") or {}).items():
        digest = image.get("digest", "") if isinstance(image, dict) else ""
        if not _DIGEST.match(digest):
            raise RefusedInputError(f"{source}: image {name} has no sha256 digest (got {digest!r})")
        images[name] = Image(repository=image["repository"], digest=digest)
    if not images:
        raise RefusedInputError(f"{source}: release manifest lists no images")
    return ReleaseManifest(commit=str(data.get("commit", "")), registry=str(data["registry"]), images=images)


def load(path: Path) -> ReleaseManifest:
    if not path.is_file():
        raise RefusedInputError(f"release manifest not found: {path}")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise RefusedInputError(
            f"{path}:{error.lineno}: release manifest is not JSON: {error.msg}"
        ) from error
    return parse(data, str(path))


def from_bake_metadata(path: Path, registry: str, commit: str, required: tuple[str, ...]) -> ReleaseManifest:
    """The manifest of a bake: one image per target, every service in `required` present."""
    if not path.is_file():
        raise RefusedInputError(f"bake metadata not found: {path}")
    metadata = json.loads(path.read_text())
    images: dict[str, Image] = {}
    for target, entry in metadata.items():
        if not isinstance(entry, dict) or "containerimage.digest" not in entry:
            continue
        repository = str(entry.get("image.name", f"contoso-shop/{target}")).split(",")[0]
        repository = repository.split("/", 1)[1] if "." in repository.split("/")[0] else repository
        images[target] = Image(repository=repository.split(":")[0], digest=entry["containerimage.digest"])
    missing = [service for service in required if service not in images]
    if missing:
        raise RefusedInputError(f"{path}: no image digest for {', '.join(missing)}")
    manifest = ReleaseManifest(commit=commit, registry=registry, images=images)
    return parse(manifest.to_json(), str(path))
