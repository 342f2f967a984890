"""A resource's Properties read as an AWS API request, through the shared AWS readers.

SageMaker and Application Auto Scaling resources take the properties of
the API requests they stand for (CreateEndpointConfig's
`ProductionVariants`, PutScalingPolicy's configuration). The readers under
`plugins.adapters.aws` read those requests for every AWS-shaped adapter;
`TemplateRequestReader` lets them read a template: keys as spelled, values
resolved as the template resolves them (`TemplateContext.sourced`, so an
undecided `Fn::If` keeps its branches and a parameter's Default is
related), and a block an intrinsic function builds is not read as set.
"""

from __future__ import annotations

from typing import Any, Callable

from linter import MappingNode, Node, Sourced

from plugins.adapters.aws.sagemaker_requests import RequestReader, ValueResolver
from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.template import intrinsic


class TemplateRequestReader(RequestReader):
    """A `RequestReader` over one template's resource properties."""

    def __init__(self, template: TemplateContext) -> None:
        from plugins.adapters.cloudformation.resources.stepfunctions import template_expression

        super().__init__(resolve=ValueResolver(expression=template_expression(template)), exact_keys=True, extensions=template.extensions)
        self.template = template

    def node(self, node: Node | None, *path: str) -> Node | None:
        found = super().node(node, *path)
        return None if isinstance(found, MappingNode) and intrinsic(found) is not None else found

    def value(self, node: Node | None, *path: str, convert: Callable[[Any], Any] = lambda item: item, expected: str = "") -> Sourced:
        found = self.find(node, *path)
        return self.template.sourced(found.node if found is not None else None, convert, expected)

    def read_text(self, node: Node | None, *path: str) -> Sourced[str]:
        found = self.find(node, *path)
        return self.template.read_text(found.node if found is not None else None)
