"""Bad input through the command line: a located MD001 finding, exit 1, never a traceback.

Most cases run in-process through `run_cli`; the worst ones (alias bomb,
5,000-deep nesting, recursion, binary) also run as a real subprocess so that
a crash, a recursion overflow or a printed traceback would show at process
level.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.engine import InputFile, LintOptions, run_lint
from linter.plugin_manager import build_plugin_host
from linter.source import LoadLimits

REPO = Path(__file__).resolve().parent.parent

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
)
DEEP = 5000

SERVERLESS_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Scorer:
    Type: AWS::SageMaker::EndpointConfig
    Metadata:
      mldeploy-lint:
        workload:
          payload-mb: big
    Properties:
      ProductionVariants:
        - VariantName: AllTraffic
          ModelName: scorer
          ServerlessConfig:
            MemorySizeInMB: big
            MaxConcurrency: 5
"""
MD004_LINE = (
    "{path}:8:23: error MD004 [invalid-workload-profile] invalid workload profile "
    "(Metadata mldeploy-lint.workload of Scorer): payload-mb must be a number, got 'big'"
)
CV001_LINE = (
    "{path}:14:29: error CV001 [serverless-memory-invalid] MemorySizeInMB 'big' of variant AllTraffic "
    "is not a number; allowed values: 1024, 2048, 3072, 4096, 5120, 6144"
)

# (file name, content, the one expected finding line without the path prefix)
BAD_FILES = [
    (
        "invalid.yaml",
        b"Resources:\n  Endpoint:\n    Properties: [EndpointConfigName: config\n",
        "4:1: error MD001 [parse-error] YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence started at line 3, column 17)",
    ),
    (
        "binary.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "1:1: error MD001 [parse-error] binary file (contains NUL bytes), not YAML or JSON text",
    ),
    (
        "latin1.yaml",
        "Resources:\n  Caf\u00e9: {}\n".encode("latin-1"),
        "2:6: error MD001 [parse-error] file is not valid UTF-8 text (undecodable byte 0xe9)",
    ),
    (
        "bomb.yaml",
        ALIAS_BOMB.encode(),
        "7:4: error MD001 [parse-error] document expands to more than 1,000,000 nodes through aliases "
        "(an alias bomb?); not linted",
    ),
    (
        "recursive.yaml",
        b"&a [*a]\n",
        "1:1: error MD001 [parse-error] recursive alias (a node contains itself); document not linted",
    ),
    (
        "deep.json",
        ("[" * DEEP + "]" * DEEP).encode(),
        "1:257: error MD001 [parse-error] nesting deeper than 256 levels; document not linted",
    ),
    (
        "deep-flow.yaml",
        ("{a: " * DEEP + "1" + "}" * DEEP).encode(),
        "1:1025: error MD001 [parse-error] nesting deeper than 256 levels; document not linted",
    ),
    (
        "deep-block.yaml",
        ("- " * DEEP + "x\n").encode(),
        "1:513: error MD001 [parse-error] nesting deeper than 256 levels; document not linted",
    ),
    (
        "duplicate.yaml",
        b"Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::SQS::Queue\n",
        "4:3: error MD001 [parse-error] duplicate key 'A' (first at line 2); the last value is used",
    ),
    (
        "bom-crlf.yaml",
        codecs.BOM_UTF8 + b"a: 1\r\nb: 2\r\n\r\nb: 3\r\n",
        "4:1: error MD001 [parse-error] duplicate key 'b' (first at line 2); the last value is used",
    ),
    (
        "utf16-dup.yaml",
        codecs.BOM_UTF16_LE + "a: 1\r\nb: 2\r\na: 3\r\n".encode("utf-16-le"),
        "3:1: error MD001 [parse-error] duplicate key 'a' (first at line 1); the last value is used",
    ),
    (
        "invalid.json",
        b'{\n  "Resources": {\n    "A": [1, 2}\n}\n',
        "3:15: error MD001 [parse-error] JSON syntax error: Expecting ',' delimiter",
    ),
    (
        "flow-colon.yaml",
        b"Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name: !Join [-, [!Ref AWS::Region, x]]\n"
        b"      Name: y\n",
        "6:7: error MD001 [parse-error] duplicate key 'Name' (first at line 5); the last value is used",
    ),
    (
        "multi.yaml",
        b"a: 1\n---\nb: [\n",
        "4:1: error MD001 [parse-error] YAML syntax error: did not find expected node content "
        "(while parsing a flow node started at line 4, column 1)",
    ),
]


def assert_clean_exit(result, code: int) -> None:
    assert "Traceback" not in result.out and "Traceback" not in result.err
    assert "MD002" not in result.out
    assert result.code == code, (result.out, result.err)


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_one_located_md001_finding(cli, chdir_tmp, name, content, expected):
    Path(name).write_bytes(content)
    result = cli(name, "--color", "never")
    assert_clean_exit(result, 1)
    assert result.out.splitlines() == [f"{name}:{expected}", "Found 1 problem (1 error) in 1 of 1 file (0 recognised as deployments)."]
    assert result.err == ""


def test_bad_input_on_stdin_is_reported_under_the_stdin_name(cli):
    result = cli("-", "--stdin-filename", "piped.yaml", stdin=b"a: 1\nb: caf\xe9\n")
    assert_clean_exit(result, 1)
    assert result.out.splitlines()[0] == (
        "piped.yaml:2:7: error MD001 [parse-error] file is not valid UTF-8 text (undecodable byte 0xe9)"
    )


def test_bad_files_do_not_stop_the_others(cli, chdir_tmp):
    for name, content, _ in BAD_FILES:
        Path(name).write_bytes(content)
    Path("good.yaml").write_text("a: 1\n")
    result = cli(".", "--color", "never", "--format", "json")
    assert_clean_exit(result, 1)
    report = json.loads(result.out)
    located = sorted(
        (finding["path"], finding["line"], finding["column"], finding["rule"]) for finding in report["findings"]
    )
    expected = sorted(
        (name, int(where.split(":")[0]), int(where.split(":")[1]), "MD001") for name, _, where in BAD_FILES
    )
    assert located == expected
    assert report["summary"]["files"] == len(BAD_FILES) + 1


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\n  \n", b"# only comments\n# here\n", codecs.BOM_UTF8, b"---\n", b"\r\n"],
    ids=["empty", "whitespace", "comments", "bom-only", "empty-document", "crlf-only"],
)
def test_empty_files_are_clean(cli, chdir_tmp, content):
    Path("empty.yaml").write_bytes(content)
    result = cli("empty.yaml")
    assert_clean_exit(result, 0)
    assert result.out == "No problems found in 1 file (0 recognised as deployments).\n"


def test_wrong_types_where_numbers_are_expected_are_findings_not_crashes(cli, chdir_tmp):
    Path("types.yaml").write_text(SERVERLESS_TEMPLATE)
    result = cli("types.yaml", "--color", "never")
    assert_clean_exit(result, 1)
    assert result.out.splitlines() == [
        MD004_LINE.format(path="types.yaml"),
        CV001_LINE.format(path="types.yaml"),
        "Found 2 problems (2 errors) in 1 of 1 file (1 recognised as deployments).",
    ]


def test_utf16_with_bom_and_crlf_keeps_line_numbers(cli, chdir_tmp):
    data = codecs.BOM_UTF16_BE + SERVERLESS_TEMPLATE.replace("\n", "\r\n").encode("utf-16-be")
    Path("utf16.yaml").write_bytes(data)
    result = cli("utf16.yaml", "--color", "never")
    assert_clean_exit(result, 1)
    assert result.out.splitlines()[:2] == [MD004_LINE.format(path="utf16.yaml"), CV001_LINE.format(path="utf16.yaml")]


def test_unresolvable_intrinsics_are_silent(cli, chdir_tmp):
    Path("intrinsics.yaml").write_text(
        """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Realtime:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: A
          ModelName: !Ref Undefined
          InstanceType: !Ref Undefined
          InitialInstanceCount: !GetAtt Nowhere.Count
  Serverless:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: B
          ModelName: m
          ServerlessConfig:
            MemorySizeInMB: {"Fn::GetAtt": [Some, Thing]}
            MaxConcurrency: !Ref Nope
"""
    )
    Path("intrinsics.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "Config": {
                        "Type": "AWS::SageMaker::EndpointConfig",
                        "Properties": {
                            "ProductionVariants": [
                                {
                                    "VariantName": "A",
                                    "ModelName": "m",
                                    "InstanceType": {"Fn::GetAtt": ["Params", "Type"]},
                                    "InitialInstanceCount": 1,
                                }
                            ]
                        },
                    },
                    # Its own config: an InstanceType beside a ServerlessConfig is CV003 whatever its value.
                    "ServerlessConfig": {
                        "Type": "AWS::SageMaker::EndpointConfig",
                        "Properties": {
                            "ProductionVariants": [
                                {
                                    "VariantName": "B",
                                    "ModelName": "m",
                                    "ServerlessConfig": {"MemorySizeInMB": {"Ref": "Memory"}},
                                }
                            ]
                        },
                    },
                }
            },
            indent=2,
        )
    )
    # AS001 judges a known fact (no scaling target exists at all), not an
    # unresolved value: it is out of scope here.
    result = cli("intrinsics.yaml", "intrinsics.json", "--ignore", "AS001")
    assert_clean_exit(result, 0)
    assert result.out == "No problems found in 2 files (2 recognised as deployments).\n"


def test_odd_shapes_in_a_template_never_crash_a_plugin(cli, chdir_tmp):
    Path("odd.yaml").write_text(
        """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ScalarProps:
    Type: AWS::SageMaker::EndpointConfig
    Properties: 5
  OddVariants:
    Type: AWS::SageMaker::EndpointConfig
    Metadata: {mldeploy-lint: {workload: [1]}}
    Properties:
      EndpointConfigName: [x]
      Tags: [1, {Key: 1, Value: 2}, {Key: Environment, Value: [prod]}]
      ProductionVariants: [1, null, [a], {ServerlessConfig: 3}, {VariantName: {a: 1}, InitialInstanceCount: abc}]
  ListType:
    Type: [AWS::SageMaker::EndpointConfig]
"""
    )
    result = cli("odd.yaml", "--color", "never", "--ignore", "AS001")
    assert_clean_exit(result, 1)
    assert result.out.splitlines() == [
        "odd.yaml:8:31: error MD004 [invalid-workload-profile] invalid workload profile (Metadata mldeploy-lint): "
        "expected a mapping `mldeploy-lint: {workload: {...}}`",
        "Found 1 problem (1 error) in 1 of 1 file (1 recognised as deployments).",
    ]


def test_size_limit_is_an_md001_finding_through_the_engine():
    host = build_plugin_host()
    options = LintOptions(limits=LoadLimits(max_bytes=1024))
    result = run_lint([InputFile("big.yaml", b"a: 1\n" + b"#" * 1020), InputFile("ok.yaml", b"a: 1\n")], host, options)
    assert [(finding.rule_id, finding.path, finding.span.line, finding.span.column) for finding in result.findings] == [
        ("MD001", "big.yaml", 1, 1)
    ]
    assert "limit; not parsed" in result.findings[0].message


def test_a_moderately_large_valid_file_is_fine(cli, chdir_tmp):
    # About 1 MB of ordinary YAML, well under the 20 MiB limit: it loads and lints.
    lines = [f"key{index:06d}: {{name: value-{index}, size: {index}, tags: [a, b, c]}}" for index in range(20_000)]
    Path("large.yaml").write_text("\n".join(lines) + "\n")
    assert Path("large.yaml").stat().st_size > 1_000_000
    result = cli("large.yaml")
    assert_clean_exit(result, 0)
    assert result.out == "No problems found in 1 file (0 recognised as deployments).\n"


# --- real processes for the worst cases ------------------------------------------------------------

WORST_NAMES = {"bomb.yaml", "deep.json", "deep-block.yaml", "recursive.yaml", "binary.yaml"}
WORST = {name: (content, expected) for name, content, expected in BAD_FILES if name in WORST_NAMES}


def test_worst_cases_in_one_real_process(tmp_path):
    for name, (content, _) in WORST.items():
        (tmp_path / name).write_bytes(content)
    completed = subprocess.run(
        [sys.executable, "-m", "linter", *sorted(WORST), "--color", "never"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout.splitlines() == [f"{name}:{WORST[name][1]}" for name in sorted(WORST)] + [
        f"Found {len(WORST)} problems ({len(WORST)} errors) in {len(WORST)} of {len(WORST)} files (0 recognised as deployments)."
    ]


@pytest.mark.parametrize(
    ("name", "content", "location"),
    [
        ("deep.yaml", "".join(" " * level + "a:\n" for level in range(DEEP)) + " " * DEEP + "1\n", "257:257"),
        ("deep-map.json", '{"a": ' * DEEP + "1" + "}" * DEEP, "1:1537"),
    ],
    ids=["yaml-block-mapping", "json-object"],
)
def test_5000_deep_nesting_in_a_real_process(tmp_path, name, content, location):
    (tmp_path / name).write_text(content)
    completed = subprocess.run(
        [sys.executable, "-m", "linter", name, "--color", "never"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.returncode == 1
    assert completed.stdout.splitlines()[0] == (
        f"{name}:{location}: error MD001 [parse-error] nesting deeper than 256 levels; document not linted"
    )


def test_alias_bomb_from_stdin_in_a_real_process():
    completed = subprocess.run(
        [sys.executable, "-m", "linter", "-", "--color", "never"],
        input=ALIAS_BOMB.encode(),
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    output = (completed.stdout + completed.stderr).decode()
    assert "Traceback" not in output
    assert completed.returncode == 1
    assert completed.stdout.decode().splitlines()[0] == (
        "<stdin>:7:4: error MD001 [parse-error] document expands to more than 1,000,000 nodes through aliases "
        "(an alias bomb?); not linted"
    )
