"""The shared fault actions (`emulator_common.fault_actions`) under the name the protocol layer imports.

Service Bus drops a faulted connection by resetting TCP (`DropStyle.ABORT`, the default of ``apply``).
"""

from __future__ import annotations

from emulator_common.fault_actions import InjectedFault, apply

__all__ = ["InjectedFault", "apply"]
