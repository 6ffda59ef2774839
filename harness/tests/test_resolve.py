from __future__ import annotations

from pathlib import Path

import pytest
from shopctl.errors import PlatformFileError
from shopctl.platform import Platform
from shopctl.resolve import parse_port_overrides, resolve_platform

ROOT = Path("/repo")
STATE = Path("/repo/.shop")


def platform(**extra: object) -> Platform:
    return Platform.model_validate(
        {
            "version": 1,
            "components": {
                "db": {
                    "command": ["db", "--port", "{ports.main}", "--data", "{data_dir}"],
                    "ports": {"main": 7000, "admin-api": 7001},
                    "health": {"tcp": ["main"]},
                    "urls": {"main": "http://{host}:{ports.main}/"},
                },
                "api": {
                    "command": ["api"],
                    "ports": {"http": 8000},
                    "health": {"http": "http://{host}:{ports.http}/health"},
                    "env": {
                        "DB_URL": "http://{host}:{db.ports.main}",
                        "ROOT": "{root}",
                        "STATE": "{state_dir}",
                    },
                    "depends_on": ["db"],
                    **extra,
                },
            },
        }
    )


def test_placeholders_are_filled_from_ports_host_and_paths() -> None:
    db, api = resolve_platform(platform(), ["api"], root=ROOT, state_dir=STATE)
    assert db.command == ["db", "--port", "7000", "--data", "/repo/.shop/data/db"]
    assert api.env == {"DB_URL": "http://127.0.0.1:7000", "ROOT": "/repo", "STATE": "/repo/.shop"}
    assert api.health.http == "http://127.0.0.1:8000/health"
    assert db.health.tcp == (("127.0.0.1", 7000),)
    assert api.log_file == STATE / "logs" / "api.log"


def test_cli_override_moves_the_port_everywhere_it_is_used() -> None:
    db, api = resolve_platform(platform(), ["api"], root=ROOT, state_dir=STATE, overrides={"db.main": 7100})
    assert db.ports["main"] == 7100
    assert "7100" in db.command
    assert api.env["DB_URL"] == "http://127.0.0.1:7100"


def test_environment_variable_overrides_a_port() -> None:
    (db,) = resolve_platform(
        platform(), ["db"], root=ROOT, state_dir=STATE, environ={"SHOP_PORT_DB_ADMIN_API": "7201"}
    )
    assert db.ports == {"main": 7000, "admin-api": 7201}


def test_cli_override_wins_over_environment() -> None:
    (db,) = resolve_platform(
        platform(),
        ["db"],
        root=ROOT,
        state_dir=STATE,
        overrides={"db.main": 7300},
        environ={"SHOP_PORT_DB_MAIN": "7400"},
    )
    assert db.ports["main"] == 7300


def test_free_ports_replaces_every_port_of_the_chosen_components() -> None:
    db, api = resolve_platform(platform(), ["api"], root=ROOT, state_dir=STATE, free_ports=True)
    assert db.ports["main"] != 7000
    assert api.env["DB_URL"] == f"http://127.0.0.1:{db.ports['main']}"


def test_free_ports_unique_in_a_launch_simulated_kernel_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel's choices, repeating one port the way bind(("127.0.0.1", 0)) may.
    picks = iter([41000, 41000, 41001, 41001, 41000, 41002])
    monkeypatch.setattr("shopctl.resolve.free_port", lambda host: next(picks))
    db, api = resolve_platform(platform(), ["db", "api"], root=ROOT, state_dir=STATE, free_ports=True)
    assert sorted([*db.ports.values(), *api.ports.values()]) == [41000, 41001, 41002]


def test_unknown_placeholder_names_where_it_is() -> None:
    with pytest.raises(PlatformFileError, match=r"components\.api\.command: unknown placeholder \{nope\}"):
        resolve_platform(
            Platform.model_validate(
                {
                    "version": 1,
                    "components": {
                        "api": {"command": ["{nope}"], "ports": {"http": 1}, "health": {"http": "http://x/"}}
                    },
                }
            ),
            ["api"],
            root=ROOT,
            state_dir=STATE,
        )


def test_override_of_unknown_port_is_rejected() -> None:
    with pytest.raises(PlatformFileError, match="no such component port"):
        resolve_platform(platform(), ["db"], root=ROOT, state_dir=STATE, overrides={"db.nope": 1})


@pytest.mark.parametrize("item", ["db.main", "db=1", "db.main=x", "db.main=70000", "db.main=0"])
def test_malformed_port_override_is_rejected(item: str) -> None:
    with pytest.raises(PlatformFileError, match=r"expected COMPONENT\.PORT=NUMBER"):
        parse_port_overrides([item])


def test_port_override_parses() -> None:
    assert parse_port_overrides(["db.main=7100", "api.http=8100"]) == {"db.main": 7100, "api.http": 8100}
