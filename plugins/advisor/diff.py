"""`advise FILE`: what each deployment of a file has, what fits its declared profile, and why.

The file is linted through the command's context (the same adapters, rules
and configuration as `mldeploy-lint FILE`); each deployment's declared
profile becomes the advice's profile, and every finding linting reports for
the deployment is listed with its rule, so that the two commands never
disagree: advise names exactly the problems lint reports.
"""

from __future__ import annotations

import json

from linter import CommandError, escape_control

from plugins.advisor.decide import TYPE_OF_KIND, advise
from plugins.advisor.profile import AdviceProfile, framework_name
from plugins.advisor.report import SCHEMA_VERSION, advice_dict, verdict

_OFFLINE_KINDS = ("batch-transform", "job", "training", "processing")
_ACCELERATORS = {"none": "cpu", "gpu": "gpu", "inferentia": "inferentia"}


def _profile_of(deployment) -> AdviceProfile:
    profile = deployment.profile
    framework = None
    for model in deployment.models:
        if model.framework.known:
            try:
                framework = framework_name(str(model.framework.value))
            except CommandError:
                framework = None
            break
    environment = deployment.environment.value.value if deployment.environment.known else None
    kind = deployment.kind.value.value if deployment.kind.known else None
    return AdviceProfile(
        payload_mb=profile.payload_mb.get(),
        latency_ms=profile.latency_ms.get(),
        traffic=profile.traffic.get(),
        requests_per_day=profile.requests_per_day.get(),
        environment=environment,
        urgency=profile.urgency.get(),
        framework=framework,
        platform=deployment.platform if deployment.platform in ("kubernetes", "sagemaker") else "kubernetes",
        offline=kind in _OFFLINE_KINDS,
    )


def _has(deployment) -> dict:
    kind = deployment.kind.value.value if deployment.kind.known else None
    units = deployment.units
    accelerator = None
    instance_type = None
    count = None
    if units:
        compute = units[0].compute
        accelerator = _ACCELERATORS.get(str(compute.accelerator.value)) if compute.accelerator.known else None
        instance_type = compute.instance_type.get()
        count = units[0].count.get()
    return {
        "endpoint_type": TYPE_OF_KIND.get(kind, kind) if kind else None,
        "accelerator": accelerator,
        "instance_type": instance_type,
        "instances": count,
        "autoscaling": any(unit.scaling for unit in units),
    }


def _name(deployment) -> str:
    return str(deployment.name.value) if deployment.name.known else deployment.id.rsplit("#", 1)[-1]


def _matches(deployment, wanted: str) -> bool:
    return wanted in (_name(deployment), deployment.id.rsplit("#", 1)[-1]) or any(link.name == wanted for link in deployment.links)


def _findings_of(result, deployment, deployments) -> list:
    """The findings linting reports about `deployment` (by the span that names it)."""
    if len(deployments) == 1:
        return [finding for finding in result.findings if finding.path == deployment.path and finding.suppression is None]
    return [
        finding
        for finding in result.findings
        if finding.suppression is None and finding.subject_span is not None and finding.subject_span == deployment.span
    ]


def advise_file(args, context) -> tuple[str, int]:
    """The text or JSON answer for `args.file`, and the exit code (1 when linting reports findings)."""
    from plugins.advisor.command import profile_from_flags

    result = context.lint_paths([args.file])
    deployments = [item for item in result.deployments if item.kind.known]
    if args.resource:
        deployments = [item for item in deployments if _matches(item, args.resource)]
        if not deployments:
            names = sorted({_name(item) for item in result.deployments})
            raise CommandError(f"{args.file} holds no deployment named {args.resource!r} (it holds: {', '.join(names) or 'none'})")
    if not deployments:
        raise CommandError(f"{args.file} holds no deployment the linter recognises; `mldeploy-lint explain --deployments {args.file}` shows what was read")
    answers = []
    for deployment in deployments:
        profile = profile_from_flags(args, _profile_of(deployment))
        advice = advise(profile)
        findings = _findings_of(result, deployment, deployments)
        answers.append((deployment, advice, findings))
    matched = {id(finding) for _, _, findings in answers for finding in findings}
    other = [
        finding
        for finding in result.findings
        if finding.suppression is None and id(finding) not in matched and (not args.resource or finding.subject_span is None)
    ]
    code = 1 if other or any(findings for _, _, findings in answers) else 0
    if args.format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "file": args.file,
            "deployments": [
                {
                    "name": _name(deployment),
                    "has": _has(deployment),
                    "advice": advice_dict(advice),
                    "findings": [
                        {"rule": finding.rule_id, "severity": finding.severity.value, "message": finding.message, "line": finding.span.line}
                        for finding in findings
                    ],
                }
                for deployment, advice, findings in answers
            ],
            "other_findings": [
                {"rule": finding.rule_id, "severity": finding.severity.value, "message": finding.message, "line": finding.span.line}
                for finding in other
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n", code
    lines: list[str] = []
    for deployment, advice, findings in answers:
        has = _has(deployment)
        lines.append(f"{deployment.path}: {_name(deployment)}")
        current = ", ".join(
            str(part)
            for part in (
                has["endpoint_type"],
                has["instance_type"] or has["accelerator"],
                f"{has['instances']} instance(s)" if has["instances"] is not None else None,
                "autoscaling" if has["autoscaling"] else "no autoscaling",
            )
            if part
        )
        lines.append(f"  has:  {current}")
        lines.append(f"  fits: {verdict(advice)}")
        for finding in findings:
            lines.append(f"  - {finding.rule_id} ({finding.severity.value}, line {finding.span.line}): {finding.message}")
        if not findings:
            lines.append("  - linting reports nothing here")
        for reason in advice.reasons:
            if reason.rule and not any(finding.rule_id == reason.rule for finding in findings):
                lines.append(f"  why: {reason.text} [{reason.rule}]")
    if other:
        lines.append(f"{args.file}: linting also reports")
        lines.extend(f"  - {finding.rule_id} ({finding.severity.value}, line {finding.span.line}): {finding.message}" for finding in other)
    return "".join(escape_control(line) + "\n" for line in lines), code
