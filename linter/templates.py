"""Unrendered templates: Helm chart files and Go-template text.

A Helm chart's `templates/` hold Go templates: YAML by accident, if at all,
and what they parse to is not what they deploy. They are not linted; the
engine reports one `MD005 unrendered-template` note per chart (or per
Go-template file outside a chart) saying how to lint the rendered output.

A file is a Go template when it holds real template actions — `{{-`,
`{{ .Values…}}`, `{{ $var }}`, `{{ include … }}`, `{{ if … }}`, or an
action standing in for a YAML value — not when a placeholder such as
`"{{HF_TOKEN}}"`, a runtime's own field reference inside a string
(`--model_name={{.Name}}`) or a CloudFormation dynamic reference
`{{resolve:ssm:…}}` appears in a value: those files are valid manifests.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

__all__ = ["ChartFile", "chart_file", "looks_like_go_template"]

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
