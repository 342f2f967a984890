"""The CloudFormation adapter (templates in YAML or JSON, SAM, CDK output).

Recognises a template, hands each resource to the module in `resources/`
that knows its type, then links the SageMaker hosting records into
deployments (`hosting.py`). Adding a resource kind is adding one module.
"""

from __future__ import annotations

from linter import Deployment, Document, InputProblem, RunContext, hookimpl

from plugins.adapters.cloudformation import hosting
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.records import TemplateRecords
from plugins.adapters.cloudformation.resources import readers
from plugins.adapters.cloudformation.template import is_template


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """Deployments of a CloudFormation template; None for any other document."""
    if not is_template(document):
        return None
    return extract_template(document)


def extract_template(document: Document) -> list[Deployment | InputProblem]:
    """Everything the adapter reads from one template document."""
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
    return hosting.assemble(records, template) + extracted
