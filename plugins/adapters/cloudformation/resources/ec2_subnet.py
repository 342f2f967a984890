"""`AWS::EC2::Subnet`: its Availability Zone, for zone-spread questions."""

from __future__ import annotations

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.records import SubnetRecord
from plugins.adapters.cloudformation.template import Resource

RESOURCE_TYPES = ("AWS::EC2::Subnet",)


def read(resource: Resource, template: TemplateContext) -> list:
    zone = template.read_str(resource.property("AvailabilityZone"))
    if not zone.known and not zone.options:
        zone_id = template.read_str(resource.property("AvailabilityZoneId"))
        if zone_id.known:
            zone = zone_id
    return [SubnetRecord(resource.logical_id, zone)]
