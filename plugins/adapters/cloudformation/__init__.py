"""The CloudFormation adapter (templates in YAML or JSON, SAM, CDK output).

Recognises a template, hands each resource to the module in `resources/`
that knows its type, then links the SageMaker hosting records into
deployments (`hosting.py`). Adding a resource kind is adding one module.
Every resource's `Metadata` suppressions are read whatever its type
(`ignores.py`).
"""

from __future__ import annotations

from dataclasses import replace

from linter import (
    Deployment,
    Document,
    MappingNode,
    Provenance,
    RunContext,
    ScalarNode,
    Sourced,
    hookimpl,
    normalise_environment,
)

from plugins.adapters.cloudformation import hosting
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.ignores import resource_ignores
from plugins.adapters.cloudformation.records import TemplateRecords
from plugins.adapters.cloudformation.resources import readers
from plugins.adapters.cloudformation.template import is_template
from plugins.adapters.facts import with_image_region


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """Deployments of a CloudFormation template; None for any other document."""
    if not is_template(document):
        return None
    parameters = run.options.config.get("environments", {}).get("parameters", ())
    return extract_template(document, tuple(parameters))


def extract_template(document: Document, environment_parameters: tuple[str, ...] = ()) -> list:
    """Everything the adapter reads from one template document.

    `environment_parameters` names template parameters whose value names the
    stage (configured by the user; never guessed).
    """
    template = TemplateContext.of(document)
    table = readers()
    records = TemplateRecords()
    extracted: list = []
    for resource in template.resources.values():
        reader = table.get(resource.type)
        if reader is None:
            continue
        for item in reader(resource, template):
            if not records.add(item):
                extracted.append(item)
    results = with_image_region(hosting.assemble(records, template) + extracted)
    stage = _stage_parameter(template, environment_parameters)
    if stage is not None:
        results = [
            replace(item, environment=stage) if isinstance(item, Deployment) and not item.environment.known else item
            for item in results
        ]
    return results + [item for resource in template.resources.values() for item in resource_ignores(resource)]


def _stage_parameter(template: TemplateContext, names: tuple[str, ...]) -> Sourced | None:
    """The stage named by the first configured parameter that has a known value."""
    parameters = template.resolver.parameters
    if parameters is None:
        return None
    for name in names:
        parameter = parameters.get(name)
        default = parameter.get("Default") if isinstance(parameter, MappingNode) else None
        if not isinstance(default, ScalarNode):
            continue
        stage = normalise_environment(default.value)
        if stage is not None:
            return Sourced(stage, default.span, Provenance.DECLARED, f"parameter {name} (configured) defaults to {default.value!r}")
    return None


@hookimpl
def mldeploy_suppression_edit(document: Document, span, rule_id: str, reason: str):
    """The Metadata entry that excuses `rule_id` for the resource holding `span` (see `ignores.suppression_edit`)."""
    from plugins.adapters.cloudformation.ignores import suppression_edit

    return suppression_edit(document, span, rule_id, reason)
