"""The `az` and `kubectl` command lines, with the failures Azure is known for turned into clear errors.

- not logged in (`Please run 'az login'`): stop, naming the fix;
- an expired token (AADSTS700024 / ExpiredAuthenticationToken / "token is expired"): log in again once
  with the pipeline's federated token when one is there (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID,
  AZURE_TENANT_ID), otherwise stop;
- throttling (HTTP 429 / TooManyRequests): wait `Retry-After` seconds (or back off) and try again.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shopops.errors import AzureLoginError, OpsError

log = logging.getLogger(__name__)

_NOT_LOGGED_IN = re.compile(r"az login|not logged in|No subscription found", re.IGNORECASE)
_EXPIRED = re.compile(r"AADSTS700024|AADSTS70043|ExpiredAuthenticationToken|token is expired", re.IGNORECASE)
_THROTTLED = re.compile(r"\b429\b|TooManyRequests", re.IGNORECASE)
_RETRY_AFTER = re.compile(r"Retry-After\D{0,3}(\d+)", re.IGNORECASE)
MAX_RETRY_AFTER_SECONDS = 120


@dataclass(frozen=True)
class Completed:
    args: tuple[str, ...]
    stdout: str
    stderr: str
    returncode: int


def retry_after_seconds(text: str, attempt: int) -> float:
    """The server's Retry-After when it gave one, else exponential backoff (1, 2, 4, ... s)."""
    match = _RETRY_AFTER.search(text)
    seconds = float(match.group(1)) if match else float(2 ** (attempt - 1))
    return min(seconds, MAX_RETRY_AFTER_SECONDS)


class CommandLine:
    """Runs one CLI; retries throttled calls; `check` raises OpsError with the tool's own last line."""

    def __init__(self, program: str, attempts: int = 5, sleep: Callable[[float], None] = time.sleep) -> None:
        self.program = program
        self.attempts = attempts
        self.sleep = sleep

    def _once(self, args: Sequence[str], stdin: str | None) -> Completed:
        try:
            if stdin is None:
                done = subprocess.run(
                    [self.program, *args],
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            else:
                done = subprocess.run(
                    [self.program, *args], input=stdin, capture_output=True, text=True, check=False
                )
        except FileNotFoundError as error:
            raise OpsError(f"{self.program} is not installed or not on PATH") from error
        return Completed(tuple(args), done.stdout, done.stderr, done.returncode)

    def run(self, args: Sequence[str], stdin: str | None = None) -> Completed:
        for attempt in range(1, self.attempts + 1):
            done = self._once(args, stdin)
            if done.returncode == 0 or not _THROTTLED.search(done.stderr) or attempt == self.attempts:
                return done
            wait = retry_after_seconds(done.stderr, attempt)
            log.warning("%s %s throttled (429); retrying in %.0f s", self.program, args[0], wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def check(self, args: Sequence[str], stdin: str | None = None) -> str:
        done = self.run(args, stdin)
        if done.returncode != 0:
            raise OpsError(f"{self.program} {' '.join(args[:3])} failed: {_last_line(done.stderr)}")
        return done.stdout


class AzureCli(CommandLine):
    def __init__(self, attempts: int = 5, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__("az", attempts, sleep)

    def run(self, args: Sequence[str], stdin: str | None = None) -> Completed:
        done = super().run(args, stdin)
        if done.returncode == 0:
            return done
        if _EXPIRED.search(done.stderr):
            self._login_again(done.stderr)
            done = super().run(args, stdin)
            if done.returncode != 0 and _EXPIRED.search(done.stderr):
                raise AzureLoginError(
                    "az: token still expired after logging in again with the federated token"
                )
        if done.returncode != 0 and _NOT_LOGGED_IN.search(done.stderr):
            raise AzureLoginError(
                "az is not logged in: run `az login` (pipelines: the workload identity service connection)"
            )
        if done.returncode != 0 and _THROTTLED.search(done.stderr):
            raise OpsError(f"az {args[0]} still throttled (429) after {self.attempts} attempts")
        return done

    def _login_again(self, stderr: str) -> None:
        token_file = os.environ.get("AZURE_FEDERATED_TOKEN_FILE")
        client_id = os.environ.get("AZURE_CLIENT_ID")
        tenant_id = os.environ.get("AZURE_TENANT_ID")
        if not (token_file and client_id and tenant_id):
            raise AzureLoginError(
                f"az token expired ({_last_line(stderr)}); no federated token to log in again with"
            )
        log.warning("az token expired; logging in again with the federated token")
        with open(token_file) as handle:
            token = handle.read().strip()
        login = super().run(
            [
                "login",
                "--service-principal",
                "--username",
                client_id,
                "--tenant",
                tenant_id,
                "--federated-token",
                token,
                "--output",
                "none",
            ]
        )
        if login.returncode != 0:
            raise AzureLoginError(f"az login with the federated token failed: {_last_line(login.stderr)}")

    def ensure_logged_in(self) -> None:
        self.check(["account", "show", "--output", "none"])


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
