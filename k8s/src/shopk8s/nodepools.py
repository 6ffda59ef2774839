"""Which environments have an AKS spot pool: `nodePools.spotMaxCount` above 0 in the environment's parameter
file (infra/env/<env>.bicepparam; infra/modules/aks.bicep creates the pool and AKS taints its nodes)."""

from __future__ import annotations

from pathlib import Path

from shopinfra.model import Literal, ObjectValue
from shopinfra.syntax import parse_file

SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
SPOT_VALUE = "spot"


def has_spot_pool(parameter_file: Path) -> bool:
    assignments = {a.name: a.value for a in parse_file(parameter_file).assignments}
    pools = assignments.get("nodePools")
    count = pools.get("spotMaxCount") if isinstance(pools, ObjectValue) else None
    if not isinstance(count, Literal) or not isinstance(count.value, int):
        raise ValueError(f"{parameter_file}: nodePools.spotMaxCount is not a number written out")
    return count.value > 0
