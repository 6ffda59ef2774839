"""What can go wrong when running the platform, as typed errors the CLI turns into messages."""

from __future__ import annotations


class ShopError(Exception):
    """An error the CLI reports as a message, without a traceback."""


class PlatformFileError(ShopError):
    """The platform description is missing, malformed or inconsistent."""


class PortInUseError(ShopError):
    def __init__(self, component: str, port_name: str, port: int, holder: str | None) -> None:
        self.component, self.port_name, self.port, self.holder = component, port_name, port, holder
        held_by = f" by {holder}" if holder else ""
        variable = f"SHOP_PORT_{component}_{port_name}".upper().replace("-", "_")
        super().__init__(
            f"port {port} ({component}.{port_name}) is already in use{held_by}; stop that process or "
            f"choose another port with --port {component}.{port_name}=PORT or {variable}=PORT"
        )


class ComponentFailedError(ShopError):
    """A component exited or never became ready; `log_tail` holds the end of its log."""

    def __init__(self, component: str, reason: str, log_tail: str) -> None:
        self.component, self.reason, self.log_tail = component, reason, log_tail
        tail = f"\n--- last lines of {component}'s log ---\n{log_tail}" if log_tail else ""
        super().__init__(f"{component} {reason}{tail}")


class AlreadyRunningError(ShopError):
    pass
