"""The replayers, one per capability, registered here and only here (issue 15).

A later capability plugs into ``csdomain policy replay`` with one module holding its
:class:`~csdomain.policy_lab.replay.Replayer` and one ``register(...)`` line below. The order
of registration is the order of the report's sections.
"""

from __future__ import annotations

from csdomain.policy_lab.replay import Replayer

REPLAYERS: dict[str, Replayer] = {}


def register(replayer: Replayer) -> Replayer:
    """Add ``replayer`` under its capability name (a name is registered once)."""
    if replayer.capability in REPLAYERS:
        raise ValueError(f"a replayer for {replayer.capability!r} is already registered")
    REPLAYERS[replayer.capability] = replayer
    return replayer


def _register_builtin() -> None:
    from csdomain.policy_lab.replayers.cases import CaseClocksReplayer
    from csdomain.policy_lab.replayers.credit import CreditReplayer
    from csdomain.policy_lab.replayers.customers import CustomersReplayer
    from csdomain.policy_lab.replayers.penalties import PenaltiesReplayer
    from csdomain.policy_lab.replayers.service_jobs import ServiceJobsReplayer
    from csdomain.policy_lab.replayers.surveys import SurveysReplayer
    from csdomain.policy_lab.replayers.visits import VisitsReplayer

    register(CustomersReplayer())  # first: the report starts with customers
    register(CaseClocksReplayer())
    register(ServiceJobsReplayer())
    register(SurveysReplayer())
    register(PenaltiesReplayer())
    register(CreditReplayer())
    register(VisitsReplayer())


_register_builtin()

__all__ = ["REPLAYERS", "register"]
