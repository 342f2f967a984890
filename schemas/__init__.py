"""The JSON Schemas of mldeploy-lint, installed as the package `mldeploy_lint_schemas`."""
