"""Measure reading a large `terraform show -json` plan: the core JSON load against the whole lint.

The plan is the test fixture's (an endpoint, its configuration and model,
a scaling target and policy) repeated as `--instances` instances of a
registry module (`module.m["0"]`, ...), written to a temporary directory of
its own (a plan beside other files would read them as context). Reported
as CPU seconds, never asserted.

    python bench/terraform_plan.py --instances 500
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "adapters" / "terraform" / "aws-ia-sagemaker-endpoint-plan" / "plan.json"


def large_plan(instances: int) -> dict:
    plan = json.loads(FIXTURE.read_text(encoding="utf-8"))
    children, changes = [], []
    for index in range(instances):
        prefix = f'module.m["{index}"].'
        resources = copy.deepcopy(plan["planned_values"]["root_module"]["resources"])
        for resource in resources:
            resource["address"] = prefix + resource["address"]
            if resource["type"] == "aws_sagemaker_endpoint":
                resource["values"]["name"] = f"endpoint-{index}"
            if resource["type"].startswith("aws_appautoscaling_"):
                resource["values"]["resource_id"] = f"endpoint/endpoint-{index}/variant/AllTraffic"
        children.append({"address": prefix[:-1], "resources": resources})
        for change in plan["resource_changes"]:
            changes.append(dict(copy.deepcopy(change), address=prefix + change["address"]))
    return dict(
        plan,
        planned_values={"root_module": {"child_modules": children}},
        resource_changes=changes,
        configuration={"root_module": {"module_calls": {"m": {"source": "registry.example/m/aws", "module": plan["configuration"]["root_module"]}}}},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=200)
    options = parser.parse_args()
    from linter.api import lint_paths
    from linter.source import load_text

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plan.json"
        path.write_text(json.dumps(large_plan(options.instances), indent=2), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        start = time.process_time()
        load_text(str(path), text)
        loaded = time.process_time() - start
        start = time.process_time()
        result = lint_paths([str(path)])
        linted = time.process_time() - start
    print(f"plan: {options.instances} module instances, {options.instances * 6} resources, {len(text) / 1e6:.1f} MB")
    print(f"core JSON load: {loaded:.2f} s CPU")
    print(f"whole lint:     {linted:.2f} s CPU ({len(result.deployments)} deployments, {len(result.findings)} findings)")


if __name__ == "__main__":
    main()
