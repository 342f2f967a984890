"""Helm, as the Kubernetes adapter knows it: unrendered chart files and Go templates, rendered streams.

A Helm chart's `templates/` hold Go templates: YAML by accident, if at all,
and what they parse to is not what they deploy. They are not linted: this
module tells the core so (`unrendered_template`, the
`mldeploy_unrendered_template` hook), and the core notes one
`MD005 unrendered-template` per chart (or per Go-template file outside a
chart) saying how to lint the rendered output.

A file is a Go template when it holds real template actions — `{{-`,
`{{ .Values…}}`, `{{ $var }}`, `{{ include … }}`, `{{ if … }}`, or an
action standing in for a YAML value — not when a placeholder such as
`"{{HF_TOKEN}}"`, a runtime's own field reference inside a string
(`--model_name={{.Name}}`) or a CloudFormation dynamic reference
`{{resolve:ssm:…}}` appears in a value: those files are valid manifests.

The rendered output (`helm template CHART | mldeploy-lint -`) is one
stream whose documents each follow a `# Source: CHART/templates/FILE`
comment: `rendered_origins` reads them (the `mldeploy_document_origins`
hook), so each finding names the template it came from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from linter import Node, SourceFile, UnrenderedTemplate

__all__ = ["ChartFile", "chart_file", "looks_like_go_template", "rendered_origins", "unrendered_template"]

# The words that open a Go template action: control structures, and the
# functions of text/template and Sprig (Helm's library) that charts use to
# start an action. A bare identifier (`{{HF_TOKEN}}`, `{{ name }}`) is a
# placeholder of some other tool, not Go template syntax.
_ACTION_WORDS = (
    "if else end range with define template block break continue include tpl required default "
    "toYaml toJson fromYaml toToml quote squote printf print println nindent indent trim lower upper "
    "lookup len index not and or eq ne lt le gt ge empty coalesce ternary list dict get set hasKey "
    "b64enc b64dec sha256sum trunc trimSuffix trimPrefix replace contains hasPrefix hasSuffix"
).split()

_ACTION = re.compile(
    r"\{\{(?:-|/\*|\s*(?:\.|\$|\"|\(|(?:" + "|".join(_ACTION_WORDS) + r")(?![\w:.-])))"
)
# Actions no runtime evaluates but a chart renderer: trim markers, comments,
# control structures, chart objects and functions.
_CHART_ACTION = re.compile(
    r"\{\{(?:-|/\*|\s*(?:\$|\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|"
    r"(?:if|else|end|range|with|define|template|block|include|tpl|toYaml|toJson|required|lookup)(?![\w:.-])))"
)
# Where an action stands in place of YAML itself: alone on its line, after a
# sequence dash, or as a whole unquoted value (`replicas: {{ .Values.n }}`).
_STRUCTURAL_PREFIX = re.compile(r"\s*(?:-\s+)*(?:[^\s:#'\"][^:#'\"]*:\s+)?")


def looks_like_go_template(text: str) -> bool:
    """True when `text` holds Go template actions that a renderer, not YAML, must read.

    A chart action (`{{- …}}`, `{{ .Values.x }}`, `{{ include … }}`,
    `{{ if … }}`, `{{ $var }}`) anywhere outside comment lines makes a
    template; another action does when it stands where YAML expects a value
    or a line (`name: {{ .Name }}`). Actions inside a scalar
    (`--model_name={{.Name}}`, `"{{ .Name }}"`) are text a runtime fills
    in — KServe serving runtimes hold such — and leave the file valid YAML.
    """
    if "{{" not in text:
        return False
    for match in _ACTION.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        prefix = text[line_start : match.start()]
        if prefix.lstrip().startswith("#"):
            continue
        if _CHART_ACTION.match(text, match.start()) or _STRUCTURAL_PREFIX.fullmatch(prefix):
            return True
    return False


# Files at a chart's root that are not manifests: the chart's metadata and
# the values that feed its templates. They are skipped without a word.
_CHART_METADATA = re.compile(r"^(?:Chart\.ya?ml|Chart\.lock|values(?:[-._][\w.-]*)?\.(?:ya?ml|json))$")


@dataclass(frozen=True)
class ChartFile:
    """Where a file sits in a Helm chart.

    `chart` is the chart's directory as reached from the file's path;
    `template` is True for files under its `templates/` (Go templates),
    False for its metadata and values files (not manifests).
    """

    chart: str
    template: bool


def chart_file(path: str) -> ChartFile | None:
    """The chart `path` belongs to as a template or metadata file, or None.

    A template is a file below a `templates/` directory whose parent holds
    `Chart.yaml`; chart metadata is `Chart.yaml`, `Chart.lock` and the
    `values*.yaml` files beside it. Other files of a chart (`crds/`, plain
    manifests) are ordinary files and are linted.
    """
    directory, name = os.path.split(path)
    if _CHART_METADATA.match(name) and _is_chart(directory):
        return ChartFile(directory or ".", False)
    parts = path.replace(os.sep, "/").split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "templates":
            chart = "/".join(parts[:index]) or "."
            if _is_chart(chart):
                return ChartFile(chart, True)
    return None


def _is_chart(directory: str) -> bool:
    base = directory or "."
    return os.path.isfile(os.path.join(base, "Chart.yaml")) or os.path.isfile(os.path.join(base, "Chart.yml"))


# --- telling the core -------------------------------------------------------

_GO_TEMPLATE_NOTE = (
    "this file is a Go template (Helm or similar) and is not linted — render it and lint "
    "the output: helm template CHART | mldeploy-lint -"
)


def unrendered_template(path: str, text: str | None) -> UnrenderedTemplate | None:
    """What the core should do with a chart's file or a Go template instead of parsing it; None for other files.

    A chart's metadata and values are skipped without a word, whether or
    not they decode; a chart's template that does not decode (`text` None)
    is left to the core to report.
    """
    placement = chart_file(path)
    if placement is not None and not placement.template:
        return UnrenderedTemplate("")  # a chart's metadata and values feed its templates; they are not manifests
    if placement is not None:
        if text is None:
            return None
        chart = placement.chart
        return UnrenderedTemplate(
            f"Helm chart {chart} is not linted: its templates/ hold Go templates ({{files}}) — "
            f"render the chart and lint the output: helm template {chart} | mldeploy-lint -",
            group=chart,
        )
    if text is not None and looks_like_go_template(text):
        return UnrenderedTemplate(_GO_TEMPLATE_NOTE)
    return None


_SOURCE_COMMENT_MARK = "# Source:"
_SOURCE_COMMENT = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")


def rendered_origins(source: SourceFile) -> tuple[str, ...] | None:
    """Each document's `# Source: path` comment, as `helm template` writes it; None when the text has none.

    The comment must stand between the document's `---` marker and its
    content (Helm's layout), so a `# Source:` note at the top of a plain
    file is not taken for one.
    """
    if _SOURCE_COMMENT_MARK not in source.text:
        return None
    return tuple(_origins(source.text, [document.root for document in source.documents]))


def _origins(text: str, roots: list[Node | None]) -> list[str]:
    lines = text.splitlines()
    origins = []
    previous_end = 0
    for root in roots:
        origin = ""
        if root is not None:
            for number in range(min(root.span.line - 1, len(lines)), previous_end, -1):  # 1-based, upwards
                match = _SOURCE_COMMENT.match(lines[number - 1])
                if match:
                    # The previous document's span may end on this one's `---` line.
                    if _after_document_marker(lines, number - 1, max(previous_end - 1, 0)):
                        origin = match.group(1)
                    break
            previous_end = root.span.end_line
        origins.append(origin)
    return origins


def _after_document_marker(lines: list[str], index: int, floor: int) -> bool:
    """True when the nearest line above `lines[index]` that is not a comment or blank is `---`."""
    for above in range(index - 1, floor - 1, -1):
        stripped = lines[above].strip()
        if not stripped or stripped.startswith("#"):
            continue
        return stripped == "---" or stripped.startswith("--- ")
    return False
