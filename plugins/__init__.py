"""mldeploy-lint's built-in plugins: adapters, rule packs and reporters.

Each is registered through the `mldeploy_lint` entry-point group exactly like
a third-party plugin, and imports only the public API of `linter`.
"""
