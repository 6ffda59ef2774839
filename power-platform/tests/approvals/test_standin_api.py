"""The stand-in process answers the contract: submit, poll, list, decide, and problem+json refusals."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from shoppower.approvals.server import send_callback

Factory = Callable[..., dict[str, Any]]


def submit(url: str, manifest: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{url}/releases", json=manifest)


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].endswith("/" + slug)
    return body


def test_submit_then_poll_pending(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    created = submit(standin, manifest)
    assert created.status_code == 202
    assert created.headers["location"] == f"/releases/{manifest['releaseId']}"
    polled = httpx.get(standin + created.headers["location"]).json()
    assert polled["status"] == "pending"
    assert polled["manifest"] == manifest
    assert polled["approver"] is None
    assert polled["decidedAt"] is None


def test_resubmitting_the_same_manifest_is_idempotent(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    assert submit(standin, manifest).status_code == 202
    again = submit(standin, manifest)
    assert again.status_code == 200
    assert again.json()["status"] == "pending"


def test_reusing_a_release_id_with_another_manifest_conflicts(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    submit(standin, manifest)
    assert_problem(submit(standin, {**manifest, "commit": "fedcba9"}), 409, "manifest-conflict")


def test_approve_records_approver_comment_and_time(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    submit(standin, manifest)
    decided = httpx.post(
        f"{standin}/releases/{manifest['releaseId']}/approve",
        json={"approver": "rm@contoso", "comment": "go"},
    )
    assert decided.status_code == 200
    body = decided.json()
    assert (body["status"], body["approver"], body["comment"]) == ("approved", "rm@contoso", "go")
    assert body["decidedAt"].endswith("Z")
    listed = httpx.get(f"{standin}/releases", params={"status": "approved"}).json()["items"]
    assert manifest["releaseId"] in [item["releaseId"] for item in listed]


def test_double_decision_is_refused(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    submit(standin, manifest)
    url = f"{standin}/releases/{manifest['releaseId']}"
    assert httpx.post(f"{url}/reject", json={"approver": "a"}).status_code == 200
    problem = assert_problem(httpx.post(f"{url}/approve", json={"approver": "b"}), 409, "already-decided")
    assert problem["currentStatus"] == "rejected"
    assert httpx.get(url).json()["approver"] == "a"


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/approve"), ("POST", "/reject")])
def test_unknown_release_id_is_404(standin: str, method: str, suffix: str) -> None:
    response = httpx.request(method, f"{standin}/releases/rel-nope{suffix}", json={"approver": "a"})
    assert assert_problem(response, 404, "unknown-release")["releaseId"] == "rel-nope"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m.pop("commit"), "/commit"),
        (lambda m: m["images"][1].update(digest="sha256:short"), "/images/1/digest"),
        (lambda m: m.update(environment="staging"), "/environment"),
        (lambda m: m.update(callbackUrl=None), "/callbackUrl"),
        (lambda m: m.update(colour="blue"), "/colour"),
    ],
)
def test_invalid_manifest_names_the_field(
    standin: str, new_manifest: Factory, change: Callable[[dict[str, Any]], object], field: str
) -> None:
    manifest = new_manifest()
    change(manifest)
    assert assert_problem(submit(standin, manifest), 422, "invalid-field")["field"] == field


def test_decision_without_approver_names_the_field(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    submit(standin, manifest)
    response = httpx.post(f"{standin}/releases/{manifest['releaseId']}/approve", json={"comment": "x"})
    assert assert_problem(response, 422, "invalid-field")["field"] == "/approver"


def test_non_json_body_is_400(standin: str) -> None:
    response = httpx.post(
        f"{standin}/releases", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed-body")


def test_web_page_lists_and_decides(standin: str, new_manifest: Factory) -> None:
    manifest = new_manifest()
    submit(standin, manifest)
    page = httpx.get(f"{standin}/")
    assert page.status_code == 200
    assert manifest["releaseId"] in page.text
    assert f"/ui/releases/{manifest['releaseId']}/approve" in page.text
    posted = httpx.post(
        f"{standin}/ui/releases/{manifest['releaseId']}/approve", data={"approver": "web user"}
    )
    assert posted.status_code == 303
    assert httpx.get(f"{standin}/releases/{manifest['releaseId']}").json()["approver"] == "web user"


@pytest.fixture
def callback_sink() -> Iterator[tuple[str, list[dict[str, Any]], threading.Event]]:
    received: list[dict[str, Any]] = []
    arrived = threading.Event()

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/callback", received, arrived
    server.shutdown()
    server.server_close()


def test_decision_is_posted_to_the_callback_url(
    standin: str, new_manifest: Factory, callback_sink: tuple[str, list[dict[str, Any]], threading.Event]
) -> None:
    url, received, arrived = callback_sink
    manifest = new_manifest(callbackUrl=url)
    submit(standin, manifest)
    httpx.post(f"{standin}/releases/{manifest['releaseId']}/reject", json={"approver": "rm", "comment": "no"})
    assert arrived.wait(5), "no callback within 5 s"
    assert received[0]["status"] == "rejected"
    assert received[0]["releaseId"] == manifest["releaseId"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/releases", "GET, POST"),
        ("DELETE", "/releases/rel-1", "GET"),
        ("GET", "/releases/rel-1/approve", "POST"),
    ],
)
def test_other_methods_are_405_problems_and_the_connection_stays_usable(
    standin: str, method: str, path: str, allow: str
) -> None:
    with httpx.Client(base_url=standin) as client:  # one kept-alive connection
        refused = client.request(method, path, json={"approver": "x"})
        assert refused.headers["allow"] == allow
        assert_problem(refused, 405, "method-not-allowed")
        assert client.get("/healthz").json() == {"status": "ok"}


def test_consecutive_posts_on_one_connection_each_carry_their_own_body(
    standin: str, new_manifest: Factory
) -> None:
    first, second = new_manifest(), new_manifest()
    with httpx.Client(base_url=standin) as client:
        assert client.post("/releases", json=first).json()["releaseId"] == first["releaseId"]
        assert client.post("/releases", json=second).json()["releaseId"] == second["releaseId"]
        client.post(f"/releases/{first['releaseId']}/approve", json={"approver": "one"})
        client.post(f"/releases/{second['releaseId']}/reject", json={"approver": "two"})
        assert client.get(f"/releases/{second['releaseId']}").json()["approver"] == "two"


def test_a_callback_url_that_is_not_http_is_never_opened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # urlopen would happily read file: URLs; the stand-in only ever calls web hooks.
    target = tmp_path / "not-a-hook"
    target.write_text("private")
    with caplog.at_level("WARNING"):
        send_callback(target.as_uri(), {"status": "approved"})
    assert "only http(s) URLs are called" in caplog.text
