"""What starts jobs and tasks: EventBridge rule targets, Scheduler schedules, Pipes, Step Functions, Lambda."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from linter import (
    MappingNode,
    Node,
    ResourceRef,
    Span,
    child,
    iter_nodes,
    mappings,
)

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.intrinsics import (
    Choice,
    Partial,
    ResourceValue,
)
from plugins.adapters.cloudformation.template import Resource, intrinsic
from plugins.adapters.cloudformation.resource_values import properties_of


RUNNER_TYPES = (
    "AWS::Events::Rule",
    "AWS::Scheduler::Schedule",
    "AWS::Pipes::Pipe",
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
)


# --- who starts jobs and tasks ----------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """Something that starts jobs or tasks, and the resources of the template it names.

    `target` is the EventBridge/Scheduler/Pipes target node whose
    parameters (`BatchParameters`, `EcsParameters`) say how; None for a
    state machine or function, which is linked by naming both resources.
    """

    logical_id: str
    type: str
    span: Span
    references: frozenset[str]
    target: MappingNode | None
    description: str

    @property
    def link(self) -> ResourceRef:
        return ResourceRef(self.type, self.logical_id, self.span)


def runners(template: TemplateContext) -> list[Runner]:
    """Every runner of the template, one per target for rules, schedules and pipes (found once per reading of it)."""
    return template.remembered((__name__, "runners"), lambda: _runners(template))


def _runners(template: TemplateContext) -> list[Runner]:
    found: list[Runner] = []
    for resource in template.resources.values():
        if resource.type not in RUNNER_TYPES:
            continue
        properties, _ = properties_of(resource, template)
        if properties is None:
            continue
        if resource.type == "AWS::Events::Rule":
            schedule = template.read_str(properties.get("ScheduleExpression"))
            how = f"EventBridge rule {resource.logical_id}" + (f" ({schedule.value})" if schedule.known else "")
            for target in mappings(properties.get("Targets")):
                found.append(_runner(resource, target, template, how, target))
        elif resource.type == "AWS::Scheduler::Schedule":
            schedule = template.read_str(properties.get("ScheduleExpression"))
            how = f"EventBridge Scheduler schedule {resource.logical_id}" + (f" ({schedule.value})" if schedule.known else "")
            target = properties.get("Target")
            if isinstance(target, MappingNode):
                found.append(_runner(resource, target, template, how, target))
        elif resource.type == "AWS::Pipes::Pipe":
            found.append(_runner(resource, properties, template, f"EventBridge pipe {resource.logical_id}", properties))
        elif resource.type.endswith("StateMachine"):
            found.append(_runner(resource, properties, template, f"state machine {resource.logical_id}", None))
        else:
            environment = child(properties, "Environment", "Variables")
            if environment is not None:
                found.append(_runner(resource, environment, template, f"function {resource.logical_id}", None))
    return found


def _runner(resource: Resource, node: Node, template: TemplateContext, how: str, target: MappingNode | None) -> Runner:
    return Runner(resource.logical_id, resource.type, resource.key_span, frozenset(referenced_ids(node, template)), target, how)


def referenced_ids(node: Node, template: TemplateContext) -> set[str]:
    """Logical IDs of the template's resources that `node` names by `Ref`, `GetAtt` or `Sub`."""
    found: set[str] = set()
    for inner in iter_nodes(node):
        if intrinsic(inner) in ("Ref", "Fn::GetAtt", "Fn::Sub"):
            found |= _resource_ids(template.resolve(inner))
    return found


def _resource_ids(value: Any, depth: int = 0) -> set[str]:
    if depth > 32:
        return set()
    if isinstance(value, ResourceValue):
        return {value.logical_id}
    items: Iterable = ()
    if isinstance(value, Partial):
        items = value.parts
    elif isinstance(value, Choice):
        items = value.options
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list):
        items = value
    found: set[str] = set()
    for item in items:
        found |= _resource_ids(item, depth + 1)
    return found
