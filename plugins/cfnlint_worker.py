"""The process the cfn-lint bridge runs cfn-lint in: one JSON request per line in, one answer per line out.

Started by `plugins.cfnlint_bridge` in isolated mode (`python -I`), by
path, in an empty working directory, so that nothing from the linted
repository is on its module path. It imports only the standard library
and cfn-lint, loads cfn-lint's rules once, answers `{"ready": true}`, then
checks one template per request:

- request: `{"text": ..., "regions": [...], "ignore_checks": [...]}`;
- answer: `{"matches": [{"id", "message", "line", "column", "end_line",
  "end_column", "path"}, ...]}`, or `{"error": "Type: message"}` when
  cfn-lint raises.

The bridge kills the process when a template overruns its budget and
starts a new one for the next template.

No `.cfnlintrc` is read, neither the working directory's nor the home
directory's: a project file could name rule modules (`append_rules`) that
cfn-lint would import, and the bridge is configured by mldeploy-lint's own
`[cfn-lint]` table only.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any


def _config(**arguments: Any):
    from cfnlint.config import ConfigMixIn

    return ConfigMixIn(config_file=os.devnull, **arguments)


def _match(match: Any) -> dict:
    return {
        "id": str(match.rule.id),
        "message": str(match.message),
        "line": match.linenumber,
        "column": match.columnnumber,
        "end_line": match.linenumberend,
        "end_column": match.columnnumberend,
        "path": [item if isinstance(item, (str, int)) else str(item) for item in (getattr(match, "path", None) or [])],
    }


def check(text: str, regions: list[str], ignore_checks: list[str], rules: Any) -> list[dict]:
    """cfn-lint's matches for one template text, as plain data.

    This is `cfnlint.api.lint` with the rules loaded once per process:
    loading them costs about ten times the checks of a small template.
    """
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    arguments: dict[str, Any] = {}
    if regions:  # otherwise cfn-lint's default, us-east-1, as on its command line
        arguments["regions"] = list(regions)
    if ignore_checks:
        arguments["ignore_checks"] = list(ignore_checks)
    template, errors = decode_str(text)
    if errors:
        return [_match(error) for error in errors]
    if template is None:
        return []
    return [_match(match) for match in run_template_by_data(template, _config(**arguments), rules)]


def load_rules() -> Any:
    from cfnlint.runner import Runner

    return Runner(_config()).rules


def serve(requests: IO[str], answers: IO[str]) -> None:
    """Answer requests until `requests` ends."""

    def answer(payload: dict) -> None:
        answers.write(json.dumps(payload) + "\n")
        answers.flush()

    rules = load_rules()
    answer({"ready": True})
    for line in requests:
        try:
            request = json.loads(line)
            payload = {"matches": check(request["text"], request.get("regions", []), request.get("ignore_checks", []), rules)}
        except Exception as error:  # cfn-lint's own failure: the bridge reports it on the template
            payload = {"error": f"{type(error).__name__}: {' '.join(str(error).split()) or 'no message'}"}
        answer(payload)


def main() -> None:
    # Answers go to the original standard output; anything cfn-lint prints
    # goes to standard error, so it cannot break the protocol.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = os.fdopen(sys.stdin.fileno(), "r", encoding="utf-8", errors="surrogateescape")
    serve(requests, answers)


if __name__ == "__main__":
    main()
