"""A configuration found valid is remembered in the disk cache, and only what was found valid with everything it depends on.

`linter.config` checks a configuration file with jsonschema, whose import
is a third of a one-file run's start-up; given the disk cache as
`verdicts`, a check that passed is written down and the same settings
against the same schema with the same code are not checked again. These
tests replace jsonschema's validator with one that fails the test when it
is asked: a check that should be skipped must not reach it, and one that
must happen must.
"""

from __future__ import annotations

import datetime
import json
import os

import jsonschema
import pytest

from linter.config import Config, ConfigError, check_config, read_config
from linter.disk_cache import DiskCache, open_cache
from linter.options import Option, OptionSection


class _Asked(Exception):
    """jsonschema's validator was asked."""


@pytest.fixture
def cache(tmp_path) -> DiskCache:
    opened = open_cache(str(tmp_path / "cache"), "")
    assert opened is not None
    return opened


def _config(tmp_path, settings) -> Config:
    return Config(str(tmp_path / "mldeploy-lint.toml"), str(tmp_path), settings)


SECTION = ("example-plugin", OptionSection("example", {"type": "object", "properties": {"depth": {"type": "integer"}}, "additionalProperties": False}, (Option("depth", "--example-depth", "how deep"),)))


def test_valid_settings_are_checked_once(tmp_path, cache, monkeypatch):
    config = _config(tmp_path, {"fail-on": "error", "exclude": ["build/"]})
    assert check_config(config, (), verdicts=cache) == config
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    assert check_config(config, (), verdicts=cache) == config
    # The same settings in another file (another root) are the same verdict.
    other = Config(str(tmp_path / "elsewhere.toml"), str(tmp_path / "elsewhere"), dict(config.settings))
    assert check_config(other, (), verdicts=cache) == other


def _refuse(*args, **kwargs):
    raise _Asked


def test_without_verdicts_every_check_asks_jsonschema(tmp_path, cache, monkeypatch):
    config = _config(tmp_path, {"fail-on": "error"})
    check_config(config, (), verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    with pytest.raises(_Asked):
        check_config(config, ())


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda settings: {**settings, "fail-on": "warning"}, id="another value"),
        pytest.param(lambda settings: {**settings, "jobs": 2}, id="another key"),
        pytest.param(lambda settings: {**settings, "file-timeout": 2.0}, id="a float"),
        pytest.param(lambda settings: {**settings, "respect-gitignore": 1}, id="an int for a bool"),
    ],
)
def test_other_settings_are_checked_again(tmp_path, cache, monkeypatch, change):
    config = _config(tmp_path, {"fail-on": "error", "respect-gitignore": True})
    check_config(config, (), verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    with pytest.raises(_Asked):
        check_config(_config(tmp_path, change(dict(config.settings))), (), verdicts=cache)


def test_another_schema_is_checked_again(tmp_path, cache, monkeypatch):
    # A plugin's section changes the schema: the verdict of the core's alone does not stand for it.
    config = _config(tmp_path, {"fail-on": "error"})
    check_config(config, (), verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    with pytest.raises(_Asked):
        check_config(config, (SECTION,), verdicts=cache)


def test_other_code_is_checked_again(tmp_path, cache, monkeypatch):
    config = _config(tmp_path, {"fail-on": "error"})
    check_config(config, (), verdicts=cache)
    validating = tmp_path / "validating.py"
    validating.write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("linter.config._VALIDATING_MODULES", ("linter.config", "validating"))
    real = jsonschema.Draft7Validator
    with pytest.raises(_Asked):  # another set of modules: another stamp
        monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
        check_config(config, (), verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", real)
    check_config(config, (), verdicts=cache)  # remembered with the new module's stamp
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    check_config(config, (), verdicts=cache)
    validating.write_text("# edited\n")  # the module changes: its size and modification time
    with pytest.raises(_Asked):
        check_config(config, (), verdicts=cache)


def test_settings_that_fail_are_never_remembered(tmp_path, cache):
    config = _config(tmp_path, {"fail-on": "sometimes"})
    for _ in range(2):
        with pytest.raises(ConfigError, match="sometimes"):
            check_config(config, (), verdicts=cache)
    assert not any(name.endswith(".json") for _, _, names in os.walk(cache.directory) for name in names)


def test_flag_values_are_checked_with_the_settings(tmp_path, cache, monkeypatch):
    config = _config(tmp_path, {"fail-on": "error"})
    flags = {("example", "depth"): "--example-depth"}
    checked = check_config(config, (SECTION,), {("example", "depth"): 3}, flags, verdicts=cache)
    assert checked.settings["example"] == {"depth": 3}
    with pytest.raises(ConfigError, match="--example-depth"):
        check_config(config, (SECTION,), {("example", "depth"): "three"}, flags, verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    assert check_config(config, (SECTION,), {("example", "depth"): 3}, flags, verdicts=cache) == checked
    with pytest.raises(_Asked):
        check_config(config, (SECTION,), {("example", "depth"): 4}, flags, verdicts=cache)


def test_settings_holding_a_date_are_always_checked(tmp_path, cache, monkeypatch):
    # Canonical JSON cannot tell a TOML date from a string: such settings are never remembered.
    config = _config(tmp_path, {"example": {"when": datetime.date(2026, 12, 5)}})
    section = ("example-plugin", OptionSection("example", {"type": "object"}))
    check_config(config, (section,), verdicts=cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    with pytest.raises(_Asked):
        check_config(config, (section,), verdicts=cache)


def test_the_plugins_key_is_remembered_too(tmp_path, cache, monkeypatch):
    path = tmp_path / "mldeploy-lint.toml"
    path.write_text('plugins = ["example_plugin"]\n')
    read_config(str(path), lambda config: cache)
    monkeypatch.setattr(jsonschema, "Draft7Validator", _refuse)
    assert read_config(str(path), lambda config: cache).settings == {"plugins": ["example_plugin"]}
    path.write_text('plugins = ["example-plugin"]\n')
    with pytest.raises(_Asked):
        read_config(str(path), lambda config: cache)


@pytest.mark.parametrize(
    "planted, trusted",
    [
        pytest.param(lambda key: json.dumps({"key": key, "source": True}), True, id="a remembered fact"),
        pytest.param(lambda key: json.dumps({"key": key, "source": "yes"}), False, id="not true"),
        pytest.param(lambda key: json.dumps({"key": "0" * 40, "source": True}), False, id="another key"),
        pytest.param(lambda key: json.dumps([key, True]), False, id="not an entry"),
        pytest.param(lambda key: "{not json", False, id="not JSON"),
        pytest.param(lambda key: json.dumps({"key": key, "source": True}) + " " * 5000, False, id="too large"),
    ],
)
def test_only_an_entry_the_cache_wrote_stands_for_a_verdict(tmp_path, cache, monkeypatch, planted, trusted):
    # Every settings' fact is made one, so that the entry planted for it is where a verdict is read.
    monkeypatch.setattr("linter.config._validity_fact", lambda settings, schema: "one fact for all settings")
    key = DiskCache._fact_key("one fact for all settings")
    entry = cache._path(key)
    os.makedirs(os.path.dirname(entry), exist_ok=True)
    with open(entry, "w") as handle:
        handle.write(planted(key))
    broken = _config(tmp_path, {"fail-on": "sometimes"})
    if trusted:  # the control: the planted entry is the one read
        assert check_config(broken, (), verdicts=cache) == broken
    else:
        with pytest.raises(ConfigError, match="sometimes"):
            check_config(broken, (), verdicts=cache)
