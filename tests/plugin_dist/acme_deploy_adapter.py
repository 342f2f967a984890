"""ACME deploy files — an example third-party adapter that reads SageMaker through the shared AWS reader.

An Acme deploy file is JSON (or YAML) with an `acme-deploy` version, a
`name`, and a `sagemaker` key holding a CreateEndpointConfig request as
the SageMaker API spells it. This adapter only finds the request; reading
it into the model — variants, instance types, accelerators inferred from
the data tables, serverless and async settings, Tags as the workload
profile — is the shared reader's (`plugins.adapters.aws.sagemaker_requests`),
so the deployment is shaped exactly as the built-in AWS adapters shape it
and every rule judges it alike.
"""

from __future__ import annotations

from linter import Document, MappingNode, ResourceRef, RunContext, child, hookimpl

from plugins.adapters.aws.sagemaker_requests import RequestReader, hosting_deployment, read_endpoint_config

VERSION_KEY = "acme-deploy"
READER = RequestReader()  # values as written: JSON/YAML scalars, no intrinsic functions


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """The endpoint an Acme deploy file describes; None for any other document."""
    root = document.root
    if not isinstance(root, MappingNode) or child(root, VERSION_KEY) is None:
        return None
    request = child(root, "sagemaker")
    if not isinstance(request, MappingNode):
        return []
    name = READER.read_text(root, "name")  # the configuration's name when its request gives none
    label = str(name.value) if name.known else "endpoint"
    link = ResourceRef("AcmeDeploy", label, root.span)
    config = read_endpoint_config(request, READER, link, origin=f"Acme deploy file {document.path}", fallback_name=name)
    deployment = hosting_deployment(
        f"{document.path}#{label}",
        root.span,
        endpoint=None,
        config=config,
        find_model=lambda key: None,  # an Acme deploy file names models deployed elsewhere
        where="in this Acme deploy file",
    )
    return [deployment, *config.problems]
