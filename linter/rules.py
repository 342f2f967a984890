"""Rules: metadata and check side by side, findings, and rule selection.

A rule is declared with the `@rule` decorator on a pure check function; the
function's docstring is the rule's user documentation, written under the
fixed headings *What it does / Why it matters / Example / Fix / Sources*.
Decorating registers nothing: a plugin returns its rules from the
`mldeploy_rules` hook. Severity is metadata, never encoded in the ID.
"""

from __future__ import annotations

import enum
import inspect
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from linter.copying import Replaceable
from linter.model import Deployment, DeploymentKind, Environment
from linter.nodes import Span

__all__ = [
    "Severity",
    "Scope",
    "RuleDocs",
    "Rule",
    "Violation",
    "NotJudged",
    "Finding",
    "rule",
    "RuleSelector",
    "SelectionError",
    "DOC_HEADINGS",
    "UNKNOWN_ENVIRONMENT",
    "applicability_key",
]

DOC_HEADINGS = ("What it does", "Why it matters", "Example", "Fix", "Sources")

# In `environments=`: a deployment whose environment is not known.
UNKNOWN_ENVIRONMENT = "unknown"
_ENVIRONMENT_WORDS = tuple(environment.value for environment in Environment) + (UNKNOWN_ENVIRONMENT,)

_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*$")


class Severity(str, enum.Enum):
    """How bad a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Scope(str, enum.Enum):
    """What a rule's check function receives.

    DEPLOYMENT: `check(deployment, context)`, once per deployment.
    DOCUMENT: `check(document, context)`, once per loaded document.
    RUN: `check(deployments, context)`, once per run with every deployment
    (for rules that compare deployments, e.g. many endpoints of one image).
    """

    DEPLOYMENT = "deployment"
    DOCUMENT = "document"
    RUN = "run"


@dataclass(frozen=True)
class RuleDocs:
    """User documentation of a rule, under the fixed headings."""

    what: str = ""
    why: str = ""
    example: str = ""
    fix: str = ""
    sources: str = ""

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) pairs in the fixed order."""
        return list(zip(DOC_HEADINGS, (self.what, self.why, self.example, self.fix, self.sources)))

    def missing(self) -> list[str]:
        """Headings with no text."""
        return [heading for heading, text in self.sections() if not text.strip()]

    @classmethod
    def from_docstring(cls, docstring: str | None) -> "RuleDocs":
        """Parse `## Heading` sections of a docstring into the fixed fields."""
        text = inspect.cleandoc(docstring or "")
        parts: dict[str, list[str]] = {}
        current: list[str] | None = None
        for line in text.splitlines():
            heading = _HEADING.match(line) if line.startswith("#") else None
            if heading and heading.group(1) in DOC_HEADINGS:
                current = parts.setdefault(heading.group(1), [])
                continue
            if current is not None:
                current.append(line)
        get = lambda name: "\n".join(parts.get(name, [])).strip("\n")  # noqa: E731
        return cls(get("What it does"), get("Why it matters"), get("Example"), get("Fix"), get("Sources"))


@dataclass(frozen=True)
class Violation:
    """What a check function yields: a message and where it points.

    `related` holds other places that decide the problem, each with a short
    message saying what it is: e.g. the `Default` of the template parameter
    a property's value comes from. Reporters that can show them do (JSON
    `related`, SARIF `relatedLocations`).
    """

    message: str
    span: Span
    severity: Severity | None = None  # None: the rule's default severity
    related: tuple[tuple[Span, str], ...] = ()


@dataclass(frozen=True)
class NotJudged:
    """What a deployment-scope check yields when a fact it needs is unknown: it did not judge.

    The rule stays silent rather than guess; this says which fact was
    missing, and how a user could supply it, e.g. `accelerator memory of
    ml.x9.48xlarge is not in the data tables`. It is not a finding: no
    reporter shows it, and it never counts towards the exit code, a
    baseline or SARIF. `explain --deployments` (and the editor's hover
    on a deployment) prints it under the deployment, as `not judged:
    CP007 — <message>`. `span` is where the unknown fact is written, when
    it is. A check may yield any number beside its violations, one per
    missing fact; identical ones are shown once. `rule_id` is set by the
    engine (a check leaves it empty). Only deployment-scope rules may
    yield it: the engine reports a plugin error for one from another scope.
    """

    message: str
    span: Span | None = None
    rule_id: str = ""


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not held against the run.

    `kind` is SARIF's: "inSource" for a comment, CloudFormation Metadata or
    a Kubernetes annotation beside what it excuses; "external" for the
    configuration (`per-file-ignores`) and a baseline. `justification` is
    the reason given ("" when none); `origin` says where the suppression
    is written (`x.yaml:12`, `mldeploy-lint.toml per-file-ignores`,
    `baseline.json`).
    """

    kind: str
    justification: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Finding(Replaceable):
    """A reported problem, ready for a reporter.

    `sort_key` (path, line, column, rule id, message, end) is the report
    order. `plugin` names the plugin that owns the rule. `origin` is the
    template a rendered stream says the finding's document came from (see
    `Document.origin`), "" when none. `related` is the violation's related
    locations, (span, message) pairs; like `severity`, it takes no part in
    equality or order. `subject` names what the finding is about (a
    CloudFormation logical ID, `Kind/namespace/name`), "" when the rule
    judges no single object; `fingerprint` identifies the finding across
    edits that do not change its cause (independent of lines and columns);
    `suppression` is set for a finding that is reported but excused.
    `variants` names the variants of its file (stage files) the finding
    holds under, sorted; the message ends with them (`(with
    prod-config.json)`). Empty for a file judged once.
    """

    span: Span
    rule_id: str
    message: str
    severity: Severity = field(compare=False)
    slug: str = field(compare=False)
    plugin: str = field(default="", compare=False)
    origin: str = field(default="", compare=False)
    related: tuple[tuple[Span, str], ...] = field(default=(), compare=False)
    subject: str = field(default="", compare=False)
    fingerprint: str = field(default="", compare=False)
    suppression: "Suppression | None" = field(default=None, compare=False)
    variants: tuple[str, ...] = field(default=(), compare=False)
    # Where the finding's deployment is named (for suppressions on that line).
    subject_span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        return self.span.path

    @property
    def sort_key(self) -> tuple:
        span = self.span
        return (span.path, span.line, span.column, self.rule_id, self.message, span.end_line, span.end_column)



@dataclass(frozen=True, eq=False)
class Rule:
    """A rule: metadata plus its check function.

    `check` yields `Violation`s (and, deployment-scope checks, `NotJudged`
    where a fact it needs is unknown); its argument depends on `scope`.
    `plugin` is filled in by the plugin manager with the owning plugin's name.

    Applicability (deployment-scope rules only; the engine filters, the
    check is not called for a deployment outside it):
    `kinds` the deployment kinds the rule judges (empty: any kind, even an
    unknown one; otherwise the kind must be known and listed);
    `environments` the environments it judges, as `Environment` values and
    `UNKNOWN_ENVIRONMENT` for a deployment whose environment is not known
    (empty: any), e.g. `("prod",)` for a production-only rule and
    `("prod", "unknown")` for one silent only where the environment is
    known not to be production; `ml_only` judges only deployments that are
    ML by what they are (`Deployment.ml_evidence` None) or where their
    adapter found ML evidence (known). Kinds and environments given as
    text are read as their enums; an unknown one, or applicability on a
    rule of another scope, raises ValueError when the rule is declared.
    """

    id: str
    slug: str
    severity: Severity
    summary: str
    check: Callable[..., Iterable[Violation]] = field(repr=False)
    scope: Scope = Scope.DEPLOYMENT
    docs: RuleDocs = field(default_factory=RuleDocs)
    tags: tuple[str, ...] = ()
    plugin: str = ""
    kinds: tuple[DeploymentKind, ...] = ()
    environments: tuple[str, ...] = ()
    ml_only: bool = False

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"rule id {self.id!r} must be letters then three digits, e.g. EP001")
        if not _SLUG.match(self.slug):
            raise ValueError(f"rule slug {self.slug!r} must be kebab-case, e.g. payload-exceeds-endpoint-limit")
        object.__setattr__(self, "kinds", tuple(_kind(self.id, kind) for kind in self.kinds))
        object.__setattr__(self, "environments", tuple(_environment(self.id, word) for word in self.environments))
        if (self.kinds or self.environments or self.ml_only) and Scope(self.scope) is not Scope.DEPLOYMENT:
            raise ValueError(
                f"rule {self.id}: kinds=, environments= and ml_only= apply to deployment-scope rules only, "
                f"not to scope {Scope(self.scope).value!r}"
            )

    @property
    def applicability(self) -> tuple[tuple[str, str], ...]:
        """The declared applicability as (what, text) pairs, e.g. (("kinds", "realtime, async"),); empty: every deployment."""
        declared = []
        if self.kinds:
            declared.append(("kinds", ", ".join(kind.value for kind in self.kinds)))
        if self.environments:
            declared.append(("environments", ", ".join(self.environments)))
        if self.ml_only:
            declared.append(("ml", "ML workloads only"))
        return tuple(declared)

    def not_applicable_to(self, deployment: Deployment) -> str:
        """Why the rule does not judge this deployment ("" when it does).

        The reason names the first declaration the deployment falls outside
        of: `kind batch-transform` (or `kind unknown`), `environment dev`
        (or `environment unknown`), `no ML evidence` (with the adapter's
        note when it left one).
        """
        if self.kinds:
            kind = deployment.kind.value if deployment.kind.known else None
            if kind not in self.kinds:
                return f"kind {kind.value if isinstance(kind, DeploymentKind) else 'unknown'}"
        if self.environments:
            environment = _environment_word(deployment)
            if environment not in self.environments:
                return f"environment {environment}"
        if self.ml_only and deployment.ml_evidence is not None and not deployment.ml_evidence.known:
            note = deployment.ml_evidence.note
            return f"no ML evidence ({note})" if note else "no ML evidence"
        return ""

    def applies_to(self, deployment: Deployment) -> bool:
        """True when the rule judges this deployment (see `not_applicable_to`)."""
        return not self.not_applicable_to(deployment)

    @property
    def prefix(self) -> str:
        """The ID's letter prefix (its pack), e.g. EP."""
        return self.id.rstrip("0123456789")

    def finding(
        self, violation: Violation, *, subject: str = "", subject_span: Span | None = None, variants: tuple[str, ...] = ()
    ) -> Finding:
        """The finding for one violation of this rule, about `subject` (written at `subject_span`) in `variants` when given.

        The engine gives a deployment-scope rule's findings their deployment's
        name, span and variant this way (made at once, not copied); a subclass
        overriding `finding(violation)` alone is told them by a copy instead.
        """
        return Finding(
            violation.span,
            self.id,
            violation.message,
            violation.severity or self.severity,
            self.slug,
            self.plugin,
            related=violation.related,
            subject=subject,
            variants=variants,
            subject_span=subject_span,
        )


def rule(
    id: str,
    slug: str,
    severity: Severity | str,
    summary: str,
    scope: Scope | str = Scope.DEPLOYMENT,
    tags: Sequence[str] = (),
    kinds: Iterable[DeploymentKind | str] = (),
    environments: Iterable[Environment | str] = (),
    ml_only: bool = False,
) -> Callable[[Callable[..., Iterable[Violation]]], Rule]:
    """Declare a rule from its check function; the docstring is its documentation.

    `kinds`, `environments` and `ml_only` declare which deployments the
    rule judges (see `Rule`); the check then need not guard against the
    others; one kind or environment may be given alone. A kind or
    environment that does not exist raises ValueError here.
    """

    def decorate(check: Callable[..., Iterable[Violation]]) -> Rule:
        return Rule(
            id=id,
            slug=slug,
            severity=Severity(severity),
            summary=summary,
            check=check,
            scope=Scope(scope),
            docs=RuleDocs.from_docstring(check.__doc__),
            tags=tuple(tags),
            kinds=(kinds,) if isinstance(kinds, str) else tuple(kinds),
            environments=(environments,) if isinstance(environments, str) else tuple(environments),
            ml_only=ml_only,
        )

    return decorate


def _kind(rule_id: str, kind: DeploymentKind | str) -> DeploymentKind:
    try:
        return DeploymentKind(kind)
    except ValueError:
        known = ", ".join(member.value for member in DeploymentKind)
        raise ValueError(f"rule {rule_id}: unknown deployment kind {kind!r} in kinds= (use {known})") from None


def _environment(rule_id: str, word: Environment | str) -> str:
    text = word.value if isinstance(word, Environment) else word
    if text not in _ENVIRONMENT_WORDS:
        raise ValueError(
            f"rule {rule_id}: unknown environment {word!r} in environments= (use {', '.join(_ENVIRONMENT_WORDS)})"
        )
    return text


def applicability_key(deployment: Deployment) -> tuple:
    """What `Rule.not_applicable_to` reads of a deployment to decide whether a rule judges it.

    Its kind (None when unknown), its environment as `environments=` spells
    it, and whether it lacks the ML evidence its adapter looked for. Two
    deployments with equal keys fall inside or outside every `Rule`'s
    declared applicability alike (the reason's text may differ: it quotes
    the adapter's note), so the engine finds the rules that apply once per
    key.
    """
    kind = deployment.kind
    evidence = deployment.ml_evidence
    return (
        kind.value if kind.known else None,
        _environment_word(deployment),
        evidence is not None and not evidence.known,
    )


def _environment_word(deployment: Deployment) -> str:
    """The deployment's environment as `environments=` spells it."""
    environment = deployment.environment
    if not environment.known:
        return UNKNOWN_ENVIRONMENT
    value = environment.value
    return value.value if isinstance(value, Environment) else str(value)


class SelectionError(ValueError):
    """A selector names no known rule."""


@dataclass(frozen=True)
class RuleSelector:
    """Which rules are enabled: `--select` / `--ignore` by ID, prefix or slug.

    An empty `select` means every rule. `ignore` wins over `select`.
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def validate(self, rules: Iterable[Rule]) -> None:
        """Raise SelectionError naming any selector that matches no rule."""
        rules = list(rules)
        for selector in self.select + self.ignore:
            if not any(_matches(selector, candidate) for candidate in rules):
                from linter.suggest import did_you_mean

                names = [candidate.id for candidate in rules] + [candidate.slug for candidate in rules]
                hint = did_you_mean(selector.upper() if "-" not in selector else selector, names)
                raise SelectionError(f"unknown rule selector {selector!r}{hint} (not a rule ID, ID prefix or slug)")

    def ignores(self, candidate: Rule) -> bool:
        """True when an --ignore selector names the rule."""
        return any(_matches(selector, candidate) for selector in self.ignore)

    def enabled(self, candidate: Rule) -> bool:
        if self.ignores(candidate):
            return False
        return not self.select or any(_matches(selector, candidate) for selector in self.select)


def _matches(selector: str, candidate: Rule) -> bool:
    """ALL, a slug, a full ID, or an ID prefix (`EP`, `EP00`), as ruff does."""
    selector = selector.strip()
    if selector.upper() == "ALL" or selector == candidate.slug:
        return True
    return "-" not in selector and bool(selector) and candidate.id.startswith(selector.upper())
