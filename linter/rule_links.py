"""Where a rule's documentation page is: the URL reporters and the language server link to."""

from __future__ import annotations

from linter.rules import Rule

__all__ = ["RULE_REFERENCE_LABEL", "RULE_REFERENCE_FALLBACK", "rule_reference_base", "is_built_in", "rule_help_uri"]

# The `[project.urls]` label whose URL is the base of every rule page
# (`<base><ID>.md`), and the URL used when the package metadata is absent
# (running from a source tree that was never installed).
RULE_REFERENCE_LABEL = "Rule reference"
RULE_REFERENCE_FALLBACK = "https://github.com/mldeploy-lint/mldeploy-lint/blob/main/docs/rules/"


def rule_reference_base() -> str:
    """The base URL of the rule pages: `[project.urls]` "Rule reference" of the installed distribution.

    Always ends in `/`. Falls back to `RULE_REFERENCE_FALLBACK` when the
    distribution's metadata is absent or names no such URL.
    """
    from importlib import metadata

    try:
        entries = metadata.metadata("mldeploy-lint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip() == RULE_REFERENCE_LABEL and url.strip():
            url = url.strip()
            return url if url.endswith("/") else url + "/"
    return RULE_REFERENCE_FALLBACK


def is_built_in(rule: Rule) -> bool:
    """True for a rule shipped with mldeploy-lint, which has a page under docs/rules/."""
    module = getattr(rule.check, "__module__", "") or ""
    return module.split(".")[0] in ("linter", "plugins")


def rule_help_uri(rule: Rule, base: str | None = None) -> str | None:
    """The URL of `rule`'s page (`base` or `rule_reference_base()`, then `<ID>.md`); None for a third-party rule."""
    if not is_built_in(rule):
        return None
    return f"{base if base is not None else rule_reference_base()}{rule.id}.md"
