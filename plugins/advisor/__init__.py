"""`mldeploy-lint advise`: recommend a deployment target for a workload profile, and emit one that lints clean.

Built on the same knowledge as the rules: the data tables and the rules'
own decisions (plugins.rules.endpoint_fit_decisions, ...). This module only
registers the command; everything else is imported when it runs.
"""

from __future__ import annotations

from linter import Command, hookimpl

NAME = "advise"


def _add_arguments(parser) -> None:
    from plugins.advisor.command import add_arguments

    add_arguments(parser)


def _run(args, context) -> int:
    from plugins.advisor.command import run

    return run(args, context)


@hookimpl
def mldeploy_commands() -> list[Command]:
    return [
        Command(
            NAME,
            "recommend an endpoint type, compute, pricing and scaling for a workload profile (or a file); --emit a template",
            _add_arguments,
            _run,
            description=(
                "Recommend a deployment target for a workload profile given as flags, or read from a deployment "
                "file's Metadata, annotations or tags (advise FILE). The answer names the rule or the fact behind each "
                "choice; --emit writes a CloudFormation template or a KServe InferenceService that lints clean."
            ),
        )
    ]
