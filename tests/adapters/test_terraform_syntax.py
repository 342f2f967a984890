"""Terraform native syntax: what Terraform accepts parses without MD001; what it rejects is MD001 where Terraform reports it."""

from __future__ import annotations

import pytest

from linter import LoadLimits
from linter.api import lint_text
from plugins.adapters.terraform.hcl import load_hcl
from plugins.adapters.terraform.module import build_module

# Each accepted by `terraform validate` (HCL native syntax specification).
ACCEPTED = {
    "heredocs with markers inside the text": 'locals {\n  a = <<EOT\nhello EOT inside\n  EOT is not the end\nEOT\n  b = <<-EOT\n    indented\n      EOT more\n    EOT\n}\n',
    "heredoc with quotes and braces": 'locals {\n  a = <<EOT\nsay "hi" and }\n${jsonencode({a = 1})}\nEOT\n}\n',
    "heredoc in a call and a list": 'locals {\n  a = jsondecode(<<EOT\n{"a": 1}\nEOT\n  )\n  b = [<<EOT\nx\nEOT\n  , "c"]\n}\n',
    "heredoc marker with a hyphen, at the end of the file": 'locals {\n  a = <<END-OF_TEXT1\nx\nEND-OF_TEXT1\n}',
    "template directives": 'locals {\n  t = <<EOT\n%{ if var.x }yes%{ else }no%{ endif }\n%{ for n in var.names ~}\n- ${n}\n%{ endfor ~}\nEOT\n  s = "%{ if true }a%{ endif }"\n}\n',
    "strip markers": 'locals {\n  a = "${~ var.x ~}"\n  b = <<EOT\n%{~ for x in [1] ~}\n${x}\n%{~ endfor ~}\nEOT\n}\n',
    "for expressions": 'locals {\n  l = [for x in var.y : upper(x)]\n  m = {for k, v in var.m : k => v if v}\n  g = {for k, v in var.m : v => k...}\n  i = [for i, v in var.l : "${i}=${v}"]\n}\n',
    "splats": 'locals {\n  s = var.list[*].id\n  t = aws_instance.x.*.id\n  u = var.x[*].a.b[0]\n  v = var.enabled ? aws_instance.x[*].id : []\n}\n',
    "nested interpolation": 'locals {\n  n = "a-${var.b}-${lookup(var.m, "k-${var.c}", "d")}-$${literal} %%{ literal }"\n  q = "x ${ "nested ${var.y}" } z"\n}\n',
    "provider-defined functions": 'locals {\n  v = provider::aws::arn_parse("arn:aws:iam::123456789012:role/x").account_id\n}\n',
    "unicode identifiers": 'locals {\n  größe = 1\n  名前 = "値"\n}\n',
    "CRLF line endings": 'variable "x" {\r\n  default = "a"\r\n}\r\nlocals {\r\n  m = {\r\n    a = 1\r\n  }\r\n  t = <<-EOT\r\n    hi\r\n  EOT\r\n}\r\n',
    "only comments": '# only a comment\n// another\n/* block\n comment */\n',
    "a comment without a newline": "# only",
    "an empty file": "",
    "blank lines": "\n\n   \n",
    "a byte order mark": '\ufefflocals {\n  a = 1\n}\n',
    "numbers with exponents": 'locals {\n  a = 1e3\n  b = 1.5E-2\n  c = 10e+2\n}\n',
    "keywords as names": 'resource "x" "y" {\n  in = 1\n  if = 2\n  m  = { in = 2, if = 3, endif = 4, else = 5 }\n}\n',
    "object keys with colons and commas": 'locals {\n  m = { "a": 1, b: 2 }\n  n = {\n    a = 1,\n    b = 2,\n  }\n  k = { (var.k) = 1, "${var.j}" = 2 }\n}\n',
    "comments inside expressions": 'locals {\n  l = [\n    1, # one\n    2, // two\n    /* three */ 3,\n  ]\n}\n',
    "expressions across lines in parentheses": 'locals {\n  a = (\n    var.x\n    ? "a"\n    : "b"\n  )\n  b = merge(\n    var.a,\n    var.b,\n  )\n}\n',
    "unquoted block labels and one-line blocks": 'resource aws_instance x {\n  ami = "a"\n}\nvariable "y" { default = 1 }\nlocals {}\n',
    "expanded arguments and operators": 'locals {\n  m = merge(var.maps...)\n  p = !var.a && (var.b || 1 + 2 * 3 % 2 >= -1)\n  c = var.a ? 1 : var.b ? 2 : 3\n}\n',
    "Terraform 1.x blocks": 'moved {\n  from = aws_instance.a\n  to   = aws_instance.b\n}\nimport {\n  to = aws_instance.b\n  id = "i-1"\n}\ncheck "c" {\n  assert {\n    condition     = true\n    error_message = "x"\n  }\n}\n',
    "tabs": 'locals {\n\ta = 1\n\tb = <<-EOT\n\t\tx\n\tEOT\n}\n',
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_syntax_terraform_accepts_is_no_md001(name: str):
    text = ACCEPTED[name]
    assert load_hcl("main.tf", text, LoadLimits()).problems == ()
    assert [finding.rule_id for finding in lint_text(text, "main.tf").findings if finding.rule_id.startswith("MD")] == []


def _locals(text: str) -> dict:
    module = build_module("", list(load_hcl("main.tf", text, LoadLimits()).documents), [])
    return {name: module.module.evaluate(node).value for name, (_, node) in module.module.locals.items()}


def test_accepted_syntax_reads_the_values_terraform_reads():
    heredocs = _locals(ACCEPTED["heredocs with markers inside the text"])
    assert heredocs == {"a": "hello EOT inside\n  EOT is not the end\n", "b": "indented\n  EOT more\n"}
    assert _locals(ACCEPTED["numbers with exponents"]) == {"a": 1000, "b": 0.015, "c": 1000}
    assert _locals(ACCEPTED["unicode identifiers"]) == {"größe": 1, "名前": "値"}
    assert _locals('locals {\n  a = "v 10e5"\n}\n') == {"a": "v 10e5"}  # an exponent in a string stays text
    assert _locals(ACCEPTED["CRLF line endings"])["m"] == {"a": 1}


# (text, line, column, words of the message): where `terraform validate` reports the error.
REJECTED = {
    "an unclosed block": ('resource "a" "b" {\n  x = 1\n', 1, 18, "unclosed block"),
    "an unclosed nested block": ('resource "a" "b" {\n  x {\n    y = 1\n  }\n', 1, 18, "unclosed block"),
    "a stray closing brace": ("locals {\n  a = 1\n}\n}\n", 4, 1, "unexpected '}'"),
    "a stray brace before more blocks": ('locals {\n  a = 1\n}\n}\nresource "a" "b" {\n  x = 1\n}\n', 4, 1, "unexpected '}'"),
    "an unterminated string": ('locals {\n  a = "abc\n}\n', 2, 7, "unterminated string"),
    "an unterminated heredoc": ("locals {\n  a = <<EOT\nabc\n}\n", 2, 7, "unterminated heredoc"),
    "a doubled equals sign": ('resource "a" "b" {\n  name = "x"\n  config = = 3\n}\n', 3, 12, "HCL syntax error"),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_syntax_terraform_rejects_is_md001_where_terraform_reports_it(name: str):
    text, line, column, words = REJECTED[name]
    (finding,) = [finding for finding in lint_text(text, "main.tf").findings if finding.rule_id == "MD001"]
    assert (finding.span.line, finding.span.column) == (line, column)
    assert words in finding.message
