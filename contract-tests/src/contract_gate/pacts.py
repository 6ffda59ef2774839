"""Pact files: where they live, the matchers our consumer tests share, writing them atomically, reading
them back (with a clear error naming a malformed file), and the form drift checks compare.

The matchers encode the message contract's rules once (``contract-tests/messages``): UUIDs, RFC 3339 UTC
timestamps, money as a two-place decimal *string* (a number with the right digits is refused too),
ISO 4217 currencies, W3C ``traceparent``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pact import Pact, match
from pact.match.matcher import AbstractMatcher

REPO_ROOT = Path(__file__).resolve().parents[3]
CONTRACT_TESTS = REPO_ROOT / "contract-tests"
COMMITTED_PACTS = CONTRACT_TESTS / "pacts"
MESSAGE_SCHEMAS = CONTRACT_TESTS / "messages"
OUTPUT_DIR_VARIABLE = "PACT_OUTPUT_DIR"

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MONEY_VALUE_PATTERN = r"^-?(0|[1-9][0-9]*)\.[0-9]{2}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
# Java SimpleDateFormat, as Pact's datetime matcher reads it: RFC 3339 in UTC with milliseconds.
TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"


class PactFileError(Exception):
    """A pact file that cannot be verified (not JSON, not a pact, no interactions); names the file."""


def uuid(example: str) -> AbstractMatcher[str]:
    return match.regex(example, regex=UUID_PATTERN)


def timestamp(example: str) -> AbstractMatcher[str]:
    return match.datetime(example, TIMESTAMP_FORMAT, disable_conversion=True)


def traceparent(example: str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") -> Any:
    return match.regex(example, regex=TRACEPARENT_PATTERN)


def money_value(example: str) -> dict[str, Any]:
    """A string AND two decimal places: a regex alone would accept the JSON number 59.97 as well.

    pact-python's ``&`` drops the example value from the combined matcher, so this is the integration
    JSON the Pact core reads, written out."""
    return {
        "pact:matcher:type": [
            {"pact:matcher:type": "type", "value": example},
            {"pact:matcher:type": "regex", "regex": MONEY_VALUE_PATTERN, "value": example},
        ],
        "value": example,
    }


def money(value: str, currency: str) -> dict[str, Any]:
    return {"value": money_value(value), "currency": match.regex(currency, regex=CURRENCY_PATTERN)}


def output_dir() -> Path:
    """Where consumer tests write their pacts: ``$PACT_OUTPUT_DIR``, else the committed ``pacts/``."""
    chosen = os.environ.get(OUTPUT_DIR_VARIABLE)
    return Path(chosen).resolve() if chosen else COMMITTED_PACTS


def pact_file_name(consumer: str, provider: str) -> str:
    return f"{consumer}-{provider}.json"


def write_pact(pact: Pact, directory: Path | None = None) -> Path:
    """Writes ``<consumer>-<provider>.json`` into ``directory`` (default: ``output_dir()``) atomically: the
    Pact core writes into a scratch directory beside it, then one rename puts the whole file in place, so a
    reader (or a killed run) never sees half a pact. The file is replaced, never merged with an old one."""
    target_dir = directory or output_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    name = pact_file_name(pact.consumer, pact.provider)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target_dir.parent))
    try:
        pact.write_file(scratch, overwrite=True)
        written = scratch / name
        if not written.is_file():
            raise PactFileError(f"the Pact core wrote no {name} into {scratch}")
        os.replace(written, target_dir / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target_dir / name


@dataclass(frozen=True)
class PactFile:
    path: Path
    consumer: str
    provider: str
    document: dict[str, Any]

    @property
    def interactions(self) -> list[dict[str, Any]]:
        interactions: list[dict[str, Any]] = self.document.get("interactions") or []
        return interactions

    def is_message(self, interaction: dict[str, Any]) -> bool:
        return str(interaction.get("type", "")).startswith("Asynchronous/Messages")

    @property
    def kinds(self) -> set[str]:
        return {"message" if self.is_message(i) else "http" for i in self.interactions}


def load_pact(path: Path) -> PactFile:
    """The pact at ``path``, or ``PactFileError`` naming the file and what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PactFileError(f"{path}: cannot be read ({error.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PactFileError(f"{path}: not JSON ({error})") from None
    if not isinstance(document, dict):
        raise PactFileError(f"{path}: not a pact (the document is not a JSON object)")
    names = {}
    for role in ("consumer", "provider"):
        participant = document.get(role)
        name = participant.get("name") if isinstance(participant, dict) else None
        if not isinstance(name, str) or not name:
            raise PactFileError(f"{path}: not a pact ({role}.name is missing)")
        names[role] = name
    interactions = document.get("interactions")
    if not isinstance(interactions, list) or not interactions:
        raise PactFileError(f"{path}: no interactions to verify")
    for index, interaction in enumerate(interactions):
        if not isinstance(interaction, dict) or not isinstance(interaction.get("description"), str):
            raise PactFileError(f"{path}: interaction {index} has no description")
    version = (document.get("metadata") or {}).get("pactSpecification", {}).get("version", "")
    if not str(version).startswith("4"):
        raise PactFileError(f"{path}: pact specification {version or 'unknown'}; the gate reads V4 pacts")
    return PactFile(path, names["consumer"], names["provider"], document)


def pact_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


# Keys of a pact file's top-level metadata that name the library that wrote it, not the contract.
_TOOL_METADATA = {"pactRust", "pactJs", "pact-js", "pactPython"}


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """A pact without what changes from run to run or tool version to tool version, for drift checks:
    the writing library's versions, and the interaction order (by description, then states)."""
    copy = json.loads(json.dumps(document))
    metadata = copy.get("metadata") or {}
    for key in _TOOL_METADATA:
        metadata.pop(key, None)
    copy["interactions"] = sorted(
        copy.get("interactions") or [],
        key=lambda i: (i.get("description", ""), json.dumps(i.get("providerStates", []), sort_keys=True)),
    )
    return dict(copy)
