"""Provider verification: each pact replayed by ``pact.Verifier`` against its real, running provider.

``plan`` reads every pact file first and refuses bad input before anything starts (a malformed file, an
unknown provider), naming the file. ``ProviderSession`` launches one provider's components once
(``shopctl.testing.launched``: dependencies included, free ports, real stores in a temporary state
directory) and verifies any number of pacts against it; ``verify_all`` runs a whole directory, one
session per provider and kind.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pact import Verifier
from pact.types import Message
from shopctl.errors import ShopError
from shopctl.testing import launched

from contract_gate.pacts import PactFile, PactFileError, load_pact
from contract_gate.providers import Kind, ProviderSpec, ProviderTarget, UnknownProviderError, provider_spec
from contract_gate.states import StateServer

log = logging.getLogger(__name__)


# How long the Pact core waits for an answer (HTTP provider, state callback, message producer). Its default,
# 5 s, is less than a message producer can need on a busy runner: order's builder starts node with tsx, and
# payment's goes through the worker, the gateway simulator and the Service Bus emulator.
REQUEST_TIMEOUT_MS = 60_000


class GateInputError(Exception):
    """Input the gate refuses before starting anything; the message names each file and what is wrong."""


class ProviderStartError(Exception):
    """A provider (or a component it needs) did not start or never became ready."""


@dataclass(frozen=True)
class InteractionResult:
    description: str
    states: tuple[str, ...]
    passed: bool
    mismatches: tuple[str, ...] = ()
    duration: str | None = None


@dataclass
class PactResult:
    file: Path
    consumer: str
    provider: str
    interactions: list[InteractionResult] = field(default_factory=list)
    error: str | None = None
    """Why the pact could not be verified at all (the provider did not start, the verifier failed)."""
    output: str = ""

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.interactions) and all(i.passed for i in self.interactions)

    @property
    def failing(self) -> list[str]:
        return [i.description for i in self.interactions if not i.passed]


@dataclass(frozen=True)
class PlannedRun:
    spec: ProviderSpec
    pacts: tuple[PactFile, ...]


def plan(paths: Sequence[Path]) -> list[PlannedRun]:
    """The pacts grouped by what must run to verify them; ``GateInputError`` listing every bad file."""
    problems: list[str] = []
    groups: dict[tuple[str, Kind], list[PactFile]] = {}
    specs: dict[tuple[str, Kind], ProviderSpec] = {}
    if not paths:
        raise GateInputError("no pact files (*.json) to verify")
    for path in paths:
        try:
            pact = load_pact(path)
            kinds = pact.kinds
            if len(kinds) != 1:
                raise PactFileError(f"{path}: mixes HTTP and message interactions; split it per kind")
            kind: Kind = "message" if "message" in kinds else "http"
            spec = provider_spec(pact.provider, kind)
        except (PactFileError, UnknownProviderError) as error:
            problems.append(str(error) if str(path) in str(error) else f"{path}: {error}")
            continue
        groups.setdefault((spec.name, spec.kind), []).append(pact)
        specs[(spec.name, spec.kind)] = spec
    if problems:
        raise GateInputError("\n".join(problems))
    return [PlannedRun(specs[key], tuple(pacts)) for key, pacts in groups.items()]


class ProviderSession:
    """One provider started once; ``verify`` replays a pact against it (as often as asked)."""

    def __init__(self, spec: ProviderSpec, platform_file: Path | None = None) -> None:
        self.spec = spec
        self._platform_file = platform_file
        self._stack = ExitStack()
        self._target: ProviderTarget | None = None

    def __enter__(self) -> ProviderSession:
        try:
            platform = None
            if self.spec.components:
                platform = self._stack.enter_context(
                    launched(*self.spec.components, platform_file=self._platform_file)
                )
            try:
                self._target = self.spec.open(platform)
            except Exception as error:
                raise ProviderStartError(f"provider {self.spec.name} cannot be reached: {error}") from error
            self._stack.enter_context(self._target.cleanup)
        except ShopError as error:
            self._stack.close()
            raise ProviderStartError(f"provider {self.spec.name} did not start: {error}") from error
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def verify(self, pact: PactFile) -> PactResult:
        target = self._target
        assert target is not None, "verify inside the session's with-block"
        verifier = (
            Verifier(pact.provider, host="127.0.0.1")
            .set_coloured_output(enabled=False)
            .set_request_timeout(REQUEST_TIMEOUT_MS)
        )
        if target.http_url is not None:
            verifier.add_transport(url=target.http_url)
        producer = target.producer
        failures: dict[str, str] = {}
        if producer is not None:

            def produce(name: str, metadata: dict[str, Any] | None) -> Message:
                try:
                    return producer(name, metadata or {})
                except Exception as error:
                    # The Pact core only sees a 500 page; keep the reason for the report.
                    failures[name] = f"message producer: {type(error).__name__}: {error}"
                    raise

            verifier.message_handler(produce)
        verifier.add_source(pact.path)
        with StateServer(pact.provider, target.states) as states:
            verifier.state_handler(states.url, teardown=False, body=True)
            with contextlib.suppress(RuntimeError):  # a failed verification: the details are in the results
                verifier.verify()
        return _result(pact, verifier.results, verifier.output(strip_ansi=True), states.failures, failures)


def _result(
    pact: PactFile,
    results: dict[str, Any],
    output: str,
    state_failures: dict[str, str],
    producer_failures: dict[str, str],
) -> PactResult:
    result = PactResult(pact.path, pact.consumer, pact.provider, output=output)
    for entry in results.get("interactionResults") or []:
        passed = entry.get("result") == "OK"
        states = tuple(str(s) for s in entry.get("providerStates") or [])
        mismatches = [] if passed else list(_mismatches(entry.get("mismatch")))
        description = str(entry.get("description", ""))
        if not passed:
            mismatches += [f"state {s!r}: {state_failures[s]}" for s in states if s in state_failures]
            if description in producer_failures:
                mismatches.insert(0, producer_failures[description])
        result.interactions.append(
            InteractionResult(
                description=description,
                states=states,
                passed=passed,
                mismatches=tuple(mismatches),
                duration=entry.get("duration"),
            )
        )
    if not result.interactions:
        errors = [str(e.get("mismatch") or e) for e in results.get("errors") or []]
        result.error = "; ".join(errors) or "the verifier replayed no interaction of this pact"
    return result


def _mismatches(mismatch: Any) -> Iterator[str]:
    if not isinstance(mismatch, dict):
        yield str(mismatch)
        return
    if mismatch.get("type") == "error":
        yield f"error: {mismatch.get('message')}"
        return
    for item in mismatch.get("mismatches") or []:
        where = item.get("path") or item.get("key") or item.get("type", "")
        yield f"{where}: {item.get('mismatch', item)}".strip()


def verify_all(paths: Sequence[Path], platform_file: Path | None = None) -> list[PactResult]:
    """Every pact in ``paths``: ``GateInputError`` before starting anything when one cannot be verified;
    a provider that does not start fails each of its pacts with the reason, and the others still run."""
    results: list[PactResult] = []
    for run in plan(paths):
        log.info("verifying %s (%s)", run.spec.name, run.spec.kind)
        try:
            with ProviderSession(run.spec, platform_file) as session:
                results.extend(session.verify(pact) for pact in run.pacts)
        except ProviderStartError as error:
            results.extend(
                PactResult(pact.path, pact.consumer, pact.provider, error=str(error)) for pact in run.pacts
            )
    return results
