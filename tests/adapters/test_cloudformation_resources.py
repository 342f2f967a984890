"""The CloudFormation resource readers: the type -> module table agrees with the modules, and readers load on demand."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from plugins.adapters.cloudformation import resources


def test_every_reader_module_is_in_the_table_and_the_table_names_only_them():
    declared = {}
    for module_info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{module_info.name}")
        for resource_type in getattr(module, "RESOURCE_TYPES", ()):
            assert resource_type not in declared, f"{resource_type} is read by two modules"
            declared[resource_type] = module_info.name
    assert resources.MODULE_OF == declared


def test_a_reader_is_its_modules_read_function():
    table = resources.readers()
    assert table["AWS::Batch::JobQueue"] is importlib.import_module(f"{resources.__name__}.batch").read
    assert table.get("AWS::S3::Bucket") is None
    assert set(table) == set(resources.MODULE_OF)


def test_a_sagemaker_template_loads_no_batch_or_ecs_reader(tmp_path):
    template = tmp_path / "endpoint.yaml"
    template.write_text(
        "Resources:\n"
        "  Model:\n    Type: AWS::SageMaker::Model\n    Properties:\n      ExecutionRoleArn: arn:aws:iam::1:role/x\n"
        "      PrimaryContainer: {Image: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1}\n",
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from linter.api import lint_paths\n"
        f"lint_paths([{str(template)!r}], context='none')\n"
        "print(' '.join(sorted(name for name in sys.modules if name.startswith('plugins.adapters.'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "plugins.adapters.cloudformation.resources.sagemaker_model" in loaded
    for name in ("plugins.adapters.cloudformation.resources.batch", "plugins.adapters.cloudformation.resources.ecs", "plugins.adapters.aws.batch"):
        assert name not in loaded
