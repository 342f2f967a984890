"""Suppressions: findings excused where they stand, in the configuration, or by a baseline.

Forms, all applied by `apply`:

- comments (`#`, or `//` as HCL also writes them):
  `# mldeploy-lint: disable=CP001,HA001 -- reason` at the
  end of the line a finding points at, or alone on a line (of a block of
  comment lines) directly above it; on the line that names the finding's
  deployment (its logical ID, its `metadata.name`; and the first line of a
  document that holds one deployment) it covers every finding of those
  rules about that deployment. `# mldeploy-lint: disable-file=…` before the
  first document's content covers the file. Comments are read by scanning
  lines, never by a round-trip loader;
- `linter.Ignore` entries adapters read (CloudFormation Metadata,
  Kubernetes annotations): a finding inside the entry's scope;
- `per-file-ignores` in the configuration (gitignore-style globs);
- a baseline (`linter.baseline`), applied last.

A comment, Metadata entry or annotation that excuses nothing, or names no
known rule, is reported as `MD003 unused-suppression`; with
`require-reason = true`, one without a reason is `MD006`.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from linter.config import Config
from linter.model import Ignore
from linter.nodes import Span
from linter.rules import Finding, Rule, RuleSelector, Suppression, Violation

__all__ = ["SuppressionComment", "apply", "comments_of"]

_MARK = "mldeploy-lint:"
_COMMENT = re.compile(
    r"(?:^|\s)(?P<marker>#|//)\s*mldeploy-lint:\s*(?P<what>disable-file|disable)\s*=\s*(?P<rules>[^\s#]+(?:\s*,\s*[^\s#,]+)*)"
    r"(?:\s*--\s*(?P<reason>.*?))?\s*$"
)


@dataclass(frozen=True)
class SuppressionComment:
    """One `# mldeploy-lint: disable…` comment: its selectors, reason and place."""

    selectors: tuple[str, ...]
    reason: str
    span: Span
    whole_file: bool
    alone: bool  # the comment is all its line holds


def comments_of(path: str, text: str) -> list[SuppressionComment]:
    """The suppression comments of `text`, found by scanning lines."""
    if _MARK not in text:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _MARK not in line:
            continue
        match = _COMMENT.search(line)
        if not match:
            continue
        selectors = tuple(part.strip() for part in match.group("rules").split(",") if part.strip())
        start = match.start("marker")
        found.append(
            SuppressionComment(
                selectors,
                (match.group("reason") or "").strip(),
                Span(path, number, start + 1, number, len(line) + 1),
                match.group("what") == "disable-file",
                not line[:start].strip(),
            )
        )
    return found


def _first_content_line(text: str) -> int:
    """The first line that is not blank, a comment, a directive or a document marker."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")) or stripped.startswith("%") or stripped in ("---", "..."):
            continue
        return number
    return 10**9


@dataclass
class _Entry:
    """A suppression that may excuse findings, and whether it has."""

    selectors: tuple[str, ...]
    reason: str
    span: Span | None  # where it is written (None: configuration)
    kind: str
    origin: str
    used: bool = False


def apply(
    findings: Sequence[Finding],
    texts: dict[str, str],
    ignores: Sequence[Ignore],
    document_lines: dict[Span, int],
    rules: Sequence[Rule],
    enabled: Sequence[Rule],
    config: Config,
) -> list[Finding]:
    """`findings` with `suppression` set where a suppression covers them, plus MD003/MD006 findings.

    `document_lines` maps the span naming a deployment that is alone in
    its document to that document's first line.
    """
    by_id = {rule.id: rule for rule in rules}
    enabled_ids = {rule.id for rule in enabled}
    line_entries: dict[tuple[str, int], list[_Entry]] = {}
    file_entries: dict[str, list[_Entry]] = {}
    written: list[_Entry] = []
    for path, text in texts.items():
        comments = comments_of(path, text)
        if not comments:
            continue
        lines = text.splitlines()
        first_content = _first_content_line(text)
        for comment in comments:
            entry = _Entry(comment.selectors, comment.reason, comment.span, "inSource", f"{path}:{comment.span.line}")
            written.append(entry)
            if comment.whole_file:
                if comment.span.line < first_content:
                    file_entries.setdefault(path, []).append(entry)
                continue
            line_entries.setdefault((path, comment.span.line), []).append(entry)
            if comment.alone:  # it also covers the first line below its block of comments
                below = comment.span.line + 1
                while below <= len(lines) and lines[below - 1].lstrip().startswith(("#", "//")):
                    below += 1
                line_entries.setdefault((path, below), []).append(entry)
    scoped = [
        (ignore, _Entry((ignore.selector,), ignore.reason, ignore.span, "inSource", f"{ignore.span.path}:{ignore.span.line}"))
        for ignore in ignores
    ]
    written.extend(entry for _, entry in scoped)
    around = _Scopes(scoped)
    per_file = _per_file_entries(config)

    result = []
    for finding in findings:
        if finding.rule_id in ("MD001", "MD002") or finding.suppression is not None:
            result.append(finding)
            continue
        candidate = by_id.get(finding.rule_id)
        entry = _matching(candidate, finding, line_entries.get((finding.path, finding.span.line), ()))
        subject_span = finding.subject_span
        if entry is None and subject_span is not None and subject_span.path == finding.path:
            entry = _matching(candidate, finding, line_entries.get((finding.path, subject_span.line), ()))
            document_line = document_lines.get(subject_span)
            if entry is None and document_line:
                entry = _matching(candidate, finding, line_entries.get((finding.path, document_line), ()))
        if entry is None:
            entry = _matching(candidate, finding, around.entries_at(finding.span))
        if entry is None:
            entry = _matching(candidate, finding, file_entries.get(finding.path, ()))
        if entry is None:
            entry = _matching(candidate, finding, [e for glob, e in per_file if config.matches(glob, finding.path)])
        if entry is not None:
            entry.used = True
            finding = finding.replaced(suppression=Suppression(entry.kind, entry.reason, entry.origin))
        result.append(finding)

    result.extend(_audit(written, by_id, enabled_ids, bool(config.get("require-reason", False)), rules))
    return result


def _matching(candidate: Rule | None, finding: Finding, entries: Iterable[_Entry]) -> _Entry | None:
    for entry in entries:
        for selector in entry.selectors:
            if candidate is not None and RuleSelector((selector,)).enabled(candidate):
                return entry
            if candidate is None and selector.upper() == finding.rule_id:
                return entry
    return None


class _Scopes:
    """The suppressions that hold for a whole extent (an object's), filed per file to find those around a point.

    A finding is excused by each whose extent holds its start. Extents are
    the objects' nodes, so two of them nest or do not meet: sorted by start
    (the larger first on a tie), each one's enclosing extent is its parent,
    and those around a point are among the parents of the last one starting
    at or before it (a few, however many a stream holds). A file whose
    extents cross (a plugin's own) is searched whole, as before; a pass over
    every extent for every finding took 11 s for a stream of 4,000 objects
    with an annotation each.
    """

    def __init__(self, scoped: Sequence[tuple[Ignore, _Entry]]) -> None:
        by_path: dict[str, list[tuple[tuple[int, int], tuple[int, int], int, _Entry]]] = {}
        for order, (ignore, entry) in enumerate(scoped):
            scope = ignore.scope
            by_path.setdefault(scope.path, []).append(((scope.line, scope.column), (scope.end_line, scope.end_column), order, entry))
        self._files: dict[str, tuple[list, list[tuple[int, int]], list[int] | None]] = {}
        for path, extents in by_path.items():
            extents.sort(key=lambda extent: (extent[0], (-extent[1][0], -extent[1][1]), extent[2]))
            self._files[path] = (extents, [extent[0] for extent in extents], _parents(extents))

    def entries_at(self, span: Span) -> list[_Entry]:
        """The entries whose extent holds the start of `span`, in the order they were given."""
        found = self._files.get(span.path)
        if found is None:
            return []
        extents, starts, parents = found
        point = (span.line, span.column)
        if parents is None:  # extents that cross: each one asked
            return [entry for start, end, _, entry in sorted(extents, key=lambda extent: extent[2]) if start <= point <= end]
        held = []
        position = bisect.bisect_right(starts, point) - 1
        while position >= 0:
            start, end, order, entry = extents[position]
            if point <= end:
                held.append((order, entry))
            position = parents[position]
        return [entry for _, entry in sorted(held, key=lambda item: item[0])]


def _parents(extents: Sequence[tuple[tuple[int, int], tuple[int, int], int, _Entry]]) -> list[int] | None:
    """Each sorted extent's nearest enclosing one (-1: none); None when two of them cross."""
    parents: list[int] = []
    open_extents: list[int] = []
    for position, (start, end, _, _) in enumerate(extents):
        while open_extents and extents[open_extents[-1]][1] < start:
            open_extents.pop()
        if open_extents and extents[open_extents[-1]][1] < end:
            return None  # it starts inside the open one and ends after it
        parents.append(open_extents[-1] if open_extents else -1)
        open_extents.append(position)
    return parents


def _per_file_entries(config: Config) -> list[tuple[str, _Entry]]:
    table = config.get("per-file-ignores", {})
    origin = f"{os.path.basename(config.path)} per-file-ignores" if config.path else "per-file-ignores"
    return [(glob, _Entry(tuple(selectors), "", None, "external", f"{origin} {glob!r}")) for glob, selectors in table.items()]


def _audit(
    written: Sequence[_Entry], by_id: dict[str, Rule], enabled_ids: set[str], require_reason: bool, rules: Sequence[Rule]
) -> list[Finding]:
    """MD003 for suppressions that excused nothing or name no rule; MD006 for reasonless ones when required."""
    from linter.suggest import did_you_mean

    unused = by_id.get("MD003")
    reasonless = by_id.get("MD006")
    names = [rule.id for rule in rules] + [rule.slug for rule in rules]
    out: list[Finding] = []
    for entry in written:
        assert entry.span is not None
        named: set[str] = set()
        for selector in entry.selectors:
            selected = {rule.id for rule in rules if RuleSelector((selector,)).enabled(rule)}
            if not selected and unused is not None:
                hint = did_you_mean(selector.upper() if "-" not in selector else selector, names)
                out.append(unused.finding(Violation(f"suppression names no known rule {selector!r}{hint}", entry.span)))
            named |= selected
        # Only rules that ran can prove a suppression unused: under --select, others stay silent.
        if named & enabled_ids and not entry.used and unused is not None:
            out.append(
                unused.finding(
                    Violation(f"suppression of {', '.join(entry.selectors)} excuses no finding here; remove it", entry.span)
                )
            )
        if require_reason and not entry.reason and reasonless is not None:
            out.append(
                reasonless.finding(
                    Violation(
                        f"suppression of {', '.join(entry.selectors)} gives no reason "
                        "(write it after ` -- `, or as the value of the Metadata entry or annotation)",
                        entry.span,
                    )
                )
            )
    return out
