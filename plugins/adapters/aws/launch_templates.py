"""Reserved capacity an EC2 launch template asks for, whatever format declared the template.

The adapter hands over the template's `LaunchTemplateData` in the API's
shape (CreateLaunchTemplate: `InstanceMarketOptions.MarketType`,
`CapacityReservationSpecification`) and a `RequestReader` over it;
`launch_template_reservation` says whether instances launched from it go
into reserved capacity, and `reserved_on_demand` turns an on-demand
purchase option into the reservation's.
"""

from __future__ import annotations

from typing import Callable

from linter import UNKNOWN, Capacity, MappingNode, Node, Provenance, Sourced

from plugins import data

__all__ = [
    "MARKET_TYPE_CONTEXT",
    "RESERVATION_PREFERENCE_CONTEXT",
    "RESERVATION_TARGETS",
    "launch_template_reservation",
    "reserved_on_demand",
]

MARKET_TYPE_CONTEXT = "ec2-market-type"
RESERVATION_PREFERENCE_CONTEXT = "ec2-capacity-reservation-preference"
RESERVATION_TARGETS = ("CapacityReservationId", "CapacityReservationResourceGroupArn")


def _why_not_known(node: Node, value: Sourced) -> str:
    return value.note or "not known"


def launch_template_reservation(
    launch_data: Node | None, reader, name: str, undecided_why: Callable[[Node, Sourced], str] = _why_not_known
) -> Sourced | None:
    """Reserved capacity a launch template (its `LaunchTemplateData`, read by `reader`) asks for, or None when it asks for none.

    RESERVED for a Capacity Block (`InstanceMarketOptions.MarketType
    capacity-block`), a `CapacityReservationTarget` that names a
    reservation or reservation group, or `CapacityReservationPreference
    capacity-reservations-only`. A target written empty asks for none. A
    target whose reservation the configuration leaves open (a parameter or
    variable given when it is deployed, a condition) may be reserved:
    UNKNOWN, with `undecided_why(node, value)` saying why, since the
    template is written to run in a reservation when it is given one.
    """
    market = _node(reader, launch_data, "InstanceMarketOptions", "MarketType")
    if market is not None:
        market_type = reader.read_str(market)
        if market_type.known and data.capacity_from_setting(MARKET_TYPE_CONTEXT, market_type.value) == Capacity.RESERVED.value:
            return Sourced(Capacity.RESERVED, market.span, Provenance.INFERRED, f"InstanceMarketOptions.MarketType {market_type.value} of launch template {name}")
    specification = _node(reader, launch_data, "CapacityReservationSpecification")
    preference = _node(reader, specification, "CapacityReservationPreference")
    if preference is not None:
        value = reader.read_str(preference)
        if value.known and data.capacity_from_setting(RESERVATION_PREFERENCE_CONTEXT, value.value) == Capacity.RESERVED.value:
            return Sourced(Capacity.RESERVED, preference.span, Provenance.INFERRED, f"CapacityReservationPreference {value.value} of launch template {name}")
    target = _node(reader, specification, "CapacityReservationTarget")
    if target is None:
        return None
    members = [(key, _node(reader, target, key)) for key in RESERVATION_TARGETS] if isinstance(target, MappingNode) else [("CapacityReservationTarget", target)]
    undecided = []
    for key, node in members:
        if node is None:
            continue
        value = reader.read_str(node)
        if value.known and str(value.value).strip():
            return Sourced(Capacity.RESERVED, node.span, Provenance.INFERRED, f"launch template {name} targets a capacity reservation ({key} {value.value})")
        if value.known and not value.related:
            continue  # written empty: no reservation
        undecided.append((key, node, value))
    if not undecided:
        return None
    key, node, value = undecided[0]
    return Sourced(
        UNKNOWN, node.span, Provenance.DECLARED,
        f"launch template {name} may target a capacity reservation (CapacityReservationTarget {key}: {undecided_why(node, value)}): reserved capacity when one is given",
    )


def reserved_on_demand(capacity: Sourced, reservation: Sourced | None) -> Sourced:
    """On-demand capacity launched from a template that asks for reserved capacity is the reservation's (bought deliberately)."""
    if reservation is None or not capacity.known or capacity.value is not Capacity.ON_DEMAND:
        return capacity
    return reservation.replaced(note=f"{capacity.note}; {reservation.note}")


def _node(reader, node: Node | None, *path: str) -> Node | None:
    """The entry at a path as written (an intrinsic function's mapping included), or None."""
    found = reader.find(node, *path)
    return found.node if found is not None and found.dynamic is None else None
