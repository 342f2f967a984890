"""`mldeploy-lint advise`: its arguments, and the run from flags or from a file to text, JSON or a template."""

from __future__ import annotations

import argparse

from linter import CommandContext, CommandError, PROFILE_KEYS

from plugins.advisor.profile import PLATFORMS, AdviceProfile, check_entry, framework_name

FORMATS = ("text", "json")
EMIT_FORMATS = ("cloudformation", "kubernetes")

# The profile schema's keys, with what each flag means (units as in the schema).
_PROFILE_HELP = {
    "payload-mb": "largest request payload, in megabytes (10^6 bytes)",
    "latency-ms": "latency target for one request (or the time one may take), in milliseconds",
    "traffic": "steady, bursty, intermittent or scheduled",
    "requests-per-day": "expected requests per day",
    "environment": "prod, staging, dev (or an alias such as production)",
    "urgency": "urgent or deferrable: whether the work may wait for cheaper capacity",
    "model-size-gb": "size of the model's weights as stored, in GB (10^9 bytes)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="a deployment file: advise from the profile it declares")
    parser.add_argument("--resource", metavar="NAME", help="with FILE: only the deployment of this name (logical ID, endpoint or object name)")
    for key in PROFILE_KEYS:
        parser.add_argument(f"--{key}", metavar="VALUE", help=_PROFILE_HELP.get(key, key))
    parser.add_argument("--framework", metavar="NAME", help="the model's framework or server: xgboost, sklearn, pytorch, huggingface, vllm, llm, ...")
    parser.add_argument("--models", metavar="N", help="how many models of this framework are served (per-customer models)")
    parser.add_argument("--platform", metavar="NAME", help="sagemaker (default) or kubernetes")
    parser.add_argument("--format", default="text", metavar="NAME", help="text (default) or json")
    parser.add_argument("--emit", metavar="KIND", help="write a template for the recommendation instead: cloudformation or kubernetes")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--decision-table", action="store_true", help="print the decision table advise follows (Markdown, from the data tables)")


def _choice(flag: str, value: str, choices: tuple[str, ...]) -> str:
    from linter import did_you_mean

    if value not in choices:
        raise CommandError(f"{flag}: {value!r} is not one of {', '.join(choices)}{did_you_mean(value, choices)}")
    return value


def _positive(flag: str, raw: str, integer: bool = False) -> float | int:
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise CommandError(f"{flag} must be {'a whole number' if integer else 'a number'}, got {raw!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise CommandError(f"{flag} must be greater than 0, got {raw!r}")
    return value


def profile_from_flags(args: argparse.Namespace, base: AdviceProfile = AdviceProfile()) -> AdviceProfile:
    """The profile the flags give, over `base` (a file's declared profile): every value checked, CommandError otherwise."""
    from dataclasses import replace

    changes: dict = {}
    for key in PROFILE_KEYS:
        raw = getattr(args, key.replace("-", "_"))
        if raw is not None:
            changes[key.replace("-", "_")] = check_entry(key, raw)
    if args.framework is not None:
        changes["framework"] = framework_name(args.framework)
    if args.models is not None:
        changes["models"] = _positive("--models", args.models, integer=True)
    if args.platform is not None:
        changes["platform"] = _choice("--platform", args.platform, PLATFORMS)
    return replace(base, **changes)


def run(args: argparse.Namespace, context) -> int:
    if args.decision_table:
        from plugins.advisor.table import decision_table

        context.write(decision_table(), args.output)
        return 0
    _choice("--format", args.format, FORMATS)
    if args.emit is not None:
        _choice("--emit", args.emit, EMIT_FORMATS)
    if args.resource and not args.file:
        raise CommandError("--resource needs a FILE")
    if args.file:
        if args.emit:
            raise CommandError("--emit works from flags: advise FILE compares the file with the recommendation")
        from plugins.advisor.diff import advise_file

        text, code = advise_file(args, context)
        context.write(text, args.output, protected=(args.file,))
        return code

    from plugins.advisor.decide import advise
    from plugins.advisor.report import advice_json, advice_text

    profile = profile_from_flags(args)
    if args.emit is None and args.platform is None and args.format == "text" and not profile.schema_entries() and profile.framework is None:
        raise CommandError("give a workload profile (--payload-mb, --latency-ms, --traffic, --framework, ...) or a FILE")
    if args.emit and args.platform is None and args.emit == "kubernetes":
        from dataclasses import replace

        profile = replace(profile, platform="kubernetes")
    advice = advise(profile)
    if args.emit:
        from plugins.advisor.emit import emit

        text = emit(advice, args.emit)
        _check_emitted(text, args.emit, context)
        context.write(text, args.output)
        return 0
    context.write(advice_json(advice) if args.format == "json" else advice_text(advice), args.output)
    return 0 if advice.fits else 1


def _check_emitted(text: str, format_name: str, context: CommandContext) -> None:
    """Refuse to write a template that linting would flag: what advise emits must lint clean.

    The template carries the profile it was made for (Metadata, annotations),
    so linting it judges it against the same workload.
    """
    name = "advised-template.yaml" if format_name == "cloudformation" else "advised-manifest.yaml"
    findings = [finding for finding in context.lint_text(text, name).findings if finding.suppression is None]
    if findings:
        listed = "; ".join(f"{finding.rule_id}: {finding.message}" for finding in findings)
        raise CommandError(
            f"the {format_name} this profile leads to would not lint clean, so nothing is written ({listed}); "
            "the recommendation without --emit says what to build"
        )
