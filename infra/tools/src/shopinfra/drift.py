"""The drift check: the Service Bus and Event Hubs entities main.bicep creates equal those of the local
emulator configs (names and the settings both state), and every entity a service or platform.yaml names
exists in Bicep (so do the blob containers and tables they name). A mismatch names the entity and where
each side declares it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shopinfra.entities import (
    Entities,
    bicep_entities,
    event_hubs_emulator,
    leaf,
    line_of_name,
    referenced_names,
    service_bus_emulator,
    storage_names,
)
from shopinfra.findings import Finding
from shopinfra.model import BicepFile

CHECK = "drift"


def check_drift(main: BicepFile, repo_root: Path) -> Iterator[Finding]:
    try:
        in_bicep, bicep_lines = bicep_entities(main)
        in_storage = storage_names(main)
    except ValueError as error:
        yield Finding(main.path, 1, CHECK, f"cannot read the messaging entities: {error}")
        return
    emulator_files = {
        "servicebus": repo_root / "emulators/servicebus/config/platform.json",
        "eventhubs": repo_root / "emulators/eventhubs/config/platform.json",
    }
    in_emulators: dict[str, tuple[Path, dict[str, object]]] = {}
    for family, path in emulator_files.items():
        entities: Entities = (
            service_bus_emulator(path) if family == "servicebus" else event_hubs_emulator(path)
        )
        in_emulators.update({key: (path, settings) for key, settings in entities.items()})

    for key, (path, settings) in sorted(in_emulators.items()):
        if key not in in_bicep:
            yield Finding(
                path, line_of_name(path, leaf(key)[1]), CHECK, f"{key} is here but not in Bicep ({main.path})"
            )
            continue
        for name, value in settings.items():
            ours = in_bicep[key].get(name)
            if name in in_bicep[key] and ours != value:
                yield Finding(
                    main.path,
                    bicep_lines.get(f"{key}#{name}", bicep_lines[key]),
                    CHECK,
                    f"{key}: {name} is {ours!r} in Bicep but {value!r} in {path.parent.parent.name}",
                )
    for key in sorted(set(in_bicep) - set(in_emulators)):
        yield Finding(main.path, bicep_lines[key], CHECK, f"{key} is in Bicep but in no emulator config")

    for reference in referenced_names(repo_root / "harness/platform.yaml", repo_root / "services"):
        wanted = leaf(reference.message)
        if not any(leaf(key) == wanted for key in [*in_bicep, *in_storage]):
            kind, name = wanted
            yield Finding(
                reference.path, reference.line, CHECK, f"{kind} {name!r} is used here but not in Bicep"
            )
