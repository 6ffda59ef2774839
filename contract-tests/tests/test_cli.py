"""``contract-verify`` on bad input: a clear error naming the file or the component, and a non-zero exit;
its results files; pacts written whole or not at all; the optional broker's requests."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_gate import broker, cli, pacts
from contract_gate.pacts import COMMITTED_PACTS, load_pact, pact_files
from contract_gate.verify import InteractionResult, PactResult
from pact import Pact

REPO = Path(__file__).resolve().parents[2]
CONTRACT_VERIFY = REPO / ".venv" / "bin" / "contract-verify"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def pact_copy(tmp_path: Path, name: str, **changes: Any) -> Path:
    document = json.loads((COMMITTED_PACTS / name).read_text())
    document.update(changes)
    path = tmp_path / "pacts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def test_cli_refuses_a_malformed_pact_file_naming_it(tmp_path: Path) -> None:
    pacts_dir = tmp_path / "pacts"
    pacts_dir.mkdir()
    (pacts_dir / "half-written.json").write_text('{"consumer": {"name": "frontend"}, "inter')

    done = subprocess.run(
        [CONTRACT_VERIFY, pacts_dir, "--json", tmp_path / "v.json", "--junit", tmp_path / "v.xml"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    assert "half-written.json" in done.stderr
    assert "not JSON" in done.stderr
    assert not (tmp_path / "v.json").exists()


def test_cli_refuses_a_pact_of_a_provider_the_gate_does_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = pact_copy(tmp_path, "payment-order.json", provider={"name": "warehouse"})

    code, output = run_cli(capsys, path.parent, "--json", tmp_path / "v.json", "--junit", tmp_path / "v.xml")

    assert code == 2
    assert "payment-order.json" in output
    assert "'warehouse'" in output


def test_cli_refuses_a_pact_that_is_not_a_v4_pact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pact_copy(tmp_path, "payment-order.json", metadata={"pactSpecification": {"version": "2.0.0"}})

    code, output = run_cli(capsys, path.parent)

    assert code == 2
    assert "payment-order.json" in output
    assert "2.0.0" in output


def test_cli_refuses_a_pact_without_interactions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pact_copy(tmp_path, "notification-order.json", interactions=[])

    code, output = run_cli(capsys, path.parent)

    assert code == 2
    assert "notification-order.json: no interactions" in output


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_cli_refuses_a_directory_without_pacts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str
) -> None:
    pacts_dir = tmp_path / "pacts"
    if make == "empty":
        pacts_dir.mkdir()

    code, output = run_cli(capsys, pacts_dir)

    assert code == 2
    assert "pact" in output


NEVER_READY = """
import http.server, sys
class Unready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.end_headers()
    def log_message(self, *args):
        pass
print("cannot reach the catalog database", flush=True)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Unready).serve_forever()
"""


def test_cli_reports_a_provider_that_never_becomes_ready_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    platform = tmp_path / "platform.yaml"
    platform.write_text(
        json.dumps(
            {
                "version": 1,
                "root": ".",
                "defaults": {"ready_timeout": 3, "stop_timeout": 2},
                "components": {
                    "product": {
                        "command": [sys.executable, "-c", NEVER_READY, "{ports.http}"],
                        "ports": {"http": 8001},
                        "health": {"http": "http://{host}:{ports.http}/health"},
                    }
                },
            }
        )
    )
    path = pact_copy(tmp_path, "frontend-product.json")
    results, junit = tmp_path / "results" / "verification.json", tmp_path / "results" / "junit.xml"

    code, output = run_cli(capsys, path.parent, "--platform", platform, "--json", results, "--junit", junit)

    assert code == 1
    assert "provider product did not start" in output
    assert "cannot reach the catalog database" in output  # the tail of the component's log
    [entry] = json.loads(results.read_text())["pacts"]
    assert entry["passed"] is False
    assert "product" in entry["error"]
    [case] = ET.parse(junit).getroot().iter("testcase")
    assert case.find("error") is not None


def test_cli_verifies_and_writes_json_and_junit_per_interaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """notification-order: order's messages come from order's builder, so nothing needs launching."""
    path = pact_copy(tmp_path, "notification-order.json")
    results, junit = tmp_path / "verification.json", tmp_path / "junit.xml"

    code, output = run_cli(capsys, path.parent, "--json", results, "--junit", junit)

    assert code == 0, output
    document = json.loads(results.read_text())
    assert document["passed"] is True
    [entry] = document["pacts"]
    assert entry["consumer"]["name"] == "notification"
    assert entry["provider"]["name"] == "order"
    assert len(entry["provider"]["commit"]) == 40
    assert isinstance(entry["provider"]["dirty"], bool)
    assert entry["failingInteractions"] == []
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert [c.get("name") for c in cases] == [i["description"] for i in load_pact(path).interactions]
    assert all(c.find("failure") is None for c in cases)


def test_write_pact_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pacts"
    pact = Pact("payment", "order").with_specification("V4")
    pact.upon_receiving("a message", "Async").with_body({"a": 1}, "application/json")

    def crash_half_way(self: Pact, directory: Path, *, overwrite: bool = False) -> None:
        (Path(directory) / "payment-order.json").write_text('{"consumer": {"na')
        raise OSError("disk full")

    monkeypatch.setattr(Pact, "write_file", crash_half_way)
    with pytest.raises(OSError, match="disk full"):
        pacts.write_pact(pact, target)

    assert list(target.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["pacts"]  # no scratch directory left either


def test_write_pact_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "pacts"
    target.mkdir()
    (target / "payment-order.json").write_text("old")
    pact = Pact("payment", "order").with_specification("V4")
    pact.upon_receiving("a message", "Async").with_body({"a": 1}, "application/json")

    written = pacts.write_pact(pact, target)

    assert load_pact(written).interactions[0]["description"] == "a message"
    assert sorted(p.name for p in target.iterdir()) == ["payment-order.json"]


def test_committed_pacts_directory_holds_only_whole_pacts() -> None:
    for path in COMMITTED_PACTS.iterdir():
        assert path.suffix == ".json", f"stray {path.name} in pacts/"
        assert not path.name.startswith("."), f"stray {path.name} in pacts/"
    for path in pact_files(COMMITTED_PACTS):
        load_pact(path)


def test_broker_requests_have_the_documented_shape_against_a_stub_standing_in_for_the_broker_edge(
    tmp_path: Path,
) -> None:
    """A stub of the Pact Broker's HTTP API (the edge: no broker runs here). It only pins the requests the
    gate makes; it proves nothing about a real broker's answers."""
    pact_path = COMMITTED_PACTS / "notification-order.json"
    result = PactResult(
        pact_path,
        "notification",
        "order",
        [InteractionResult("an OrderStatusChanged message", (), passed=True)],
    )
    seen: list[httpx.Request] = []

    def stub(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/contracts/publish":
            return httpx.Response(200, json={})
        if request.url.path.startswith("/pacts/provider/order/consumer/notification/version/"):
            link = "http://broker.test/pacts/provider/order/consumer/notification/pact-version/x/verification-results"
            return httpx.Response(200, json={"_links": {"pb:publish-verification-results": {"href": link}}})
        if request.url.path.endswith("/verification-results"):
            return httpx.Response(201, json={})
        if request.url.path == "/can-i-deploy":
            return httpx.Response(200, json={"summary": {"deployable": True, "reason": "all verified"}})
        return httpx.Response(404)

    gate = broker.Broker.from_env(
        {
            "PACT_BROKER_BASE_URL": "http://broker.test/",
            # pragma: allowlist nextline secret (a made-up broker token)
            "PACT_BROKER_TOKEN": "t0ken",
            "PACT_BROKER_ENVIRONMENT": "staging",
        },
        version="abc123",
        branch="main",
    )
    assert gate is not None

    outcome = broker.run(gate, [result], transport=httpx.MockTransport(stub))

    publish, fetch, verification, *deploys = seen
    assert publish.method == "POST"
    assert publish.headers["Authorization"] == "Bearer t0ken"
    body = json.loads(publish.content)
    assert (body["pacticipantName"], body["pacticipantVersionNumber"], body["branch"]) == (
        "notification",
        "abc123",
        "main",
    )
    [contract] = body["contracts"]
    assert base64.b64decode(contract["content"]) == pact_path.read_bytes()
    assert fetch.url.path == "/pacts/provider/order/consumer/notification/version/abc123"
    results = json.loads(verification.content)
    assert results["success"] is True
    assert results["providerApplicationVersion"] == "abc123"
    assert sorted(r.url.params["pacticipant"] for r in deploys) == ["notification", "order"]
    assert all(r.url.params["environment"] == "staging" for r in deploys)
    assert outcome.ok
    assert outcome.published == ["notification-order.json"]


def test_no_broker_without_its_base_url() -> None:
    assert broker.Broker.from_env({}, version="abc", branch="main") is None
