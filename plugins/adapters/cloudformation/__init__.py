"""The CloudFormation adapter (templates in YAML or JSON, SAM, CDK output).

Recognises a template and hands each resource to the module that knows its
type; adding a resource kind is one module registered in `HANDLERS`.
"""

from __future__ import annotations

from typing import Callable

from linter import Deployment, Document, InputProblem, RunContext, hookimpl

from plugins.adapters.cloudformation import endpoint_config
from plugins.adapters.cloudformation.template import Resource, is_template, resources

Handler = Callable[[Resource, Document], list]

HANDLERS: dict[str, Handler] = {
    endpoint_config.RESOURCE_TYPE: endpoint_config.extract,
}


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list[Deployment | InputProblem] | None:
    """Deployments of a CloudFormation template; None for any other document."""
    if not is_template(document):
        return None
    extracted: list[Deployment | InputProblem] = []
    for resource in resources(document):
        handler = HANDLERS.get(resource.type)
        if handler is not None:
            extracted.extend(handler(resource, document))
    return extracted
