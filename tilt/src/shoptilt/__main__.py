"""`python -m shoptilt [--mode=process]`: what `tilt up` would declare, evaluated here without Tilt."""

from __future__ import annotations

import sys
from pathlib import Path

from shoptilt.evaluate import TiltfileFailedError, evaluate
from shoptilt.recorder import Recording

TILTFILE = Path(__file__).resolve().parents[3] / "Tiltfile"


def table(recording: Recording) -> list[str]:
    rows = [f"{'resource':<16} {'label':<10} {'after':<36} what"]
    for build in recording.docker_builds:
        live = (
            f"live update, restarts {' '.join(build.restart_entrypoint)}" if build.restart_entrypoint else ""
        )
        rows.append(f"{'image':<16} {'':<10} {'':<36} {build.ref} from {build.dockerfile} {live}".rstrip())
    for resource in recording.k8s_resources:
        ports = ", ".join(f"{f.name} {f.local_port}" for f in resource.port_forwards)
        after = ", ".join(resource.resource_deps)
        rows.append(
            f"{resource.workload:<16} {resource.labels[0]:<10} {after:<36} workload; forwards {ports}"
        )
    for local in recording.local_resources:
        command = " ".join(local.serve_cmd or local.cmd)
        after = ", ".join(local.resource_deps)
        label = local.labels[0] if local.labels else ""
        rows.append(
            f"{local.name:<16} {label:<10} {after:<36} {'serves' if local.serve_cmd else 'runs'} {command}"
        )
    return rows


def main(argv: list[str]) -> int:
    try:
        recording = evaluate(TILTFILE, argv)
    except TiltfileFailedError as exc:
        print(f"Tiltfile: {exc}", file=sys.stderr)
        return 1
    print("\n".join(table(recording)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
