"""What the SageMaker request reader resolves once, rather than again for every use of a value.

The ACK index of a large stream reads ~11 values of each of thousands of
objects through one `RequestReader`: these tests pin that a value is
resolved once where one read is enough, and that the shorter reading gives
the answers the full one gives, for every kind of value a request holds
(known, partly unknown, set at run time, malformed, not written).
"""

from __future__ import annotations

import textwrap

from linter import NOT_WRITTEN, UNKNOWN, Provenance
from linter.source import load_text

from plugins.adapters.aws.sagemaker_requests import NOT_EXPRESSION, RequestReader, ValueResolver
from plugins.adapters.kubernetes.ack import READER as ACK_READER

REQUEST = """\
ModelName: churn-xgb
EndpointName: ${Stage}-churn
EndpointConfigName.$: $.config
VariantName: 12
Image: "{% $states.input.image %}"
"""


def _request(text: str = REQUEST):
    return load_text("request.yaml", textwrap.dedent(text)).documents[0].root


class _Counting:
    """An expression hook that evaluates nothing and counts the nodes it is asked about."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, node):
        self.calls += 1
        return NOT_EXPRESSION


def _reader(**resolver) -> tuple[RequestReader, _Counting]:
    counting = _Counting()
    return RequestReader(resolve=ValueResolver(expression=counting, **resolver)), counting


def test_a_known_text_is_resolved_once():
    reader, counting = _reader()
    name = reader.read_text(_request(), "ModelName")
    assert counting.calls == 1
    assert (name.value, name.provenance, name.note) == ("churn-xgb", Provenance.DECLARED, "")
    assert name == reader.read_str(_request(), "ModelName")


def test_a_text_not_written_is_not_resolved():
    reader, counting = _reader()
    assert reader.read_text(_request(), "TransformJobName") is NOT_WRITTEN
    assert counting.calls == 0


def test_a_partly_unknown_text_keeps_its_known_part():
    reader, _ = _reader(substitutions={})
    name = reader.read_text(_request(), "EndpointName")
    assert name.value == "${Stage}-churn"
    assert name.note.startswith("partly unresolved: ${Stage} is replaced when the definition is deployed")
    assert name.span is not None and name.span.line == 2


def test_a_text_set_at_run_time_or_by_an_expression_is_unknown_with_its_reason():
    reader, _ = _reader(jsonata=True)
    dynamic = reader.read_text(_request(), "EndpointConfigName")
    assert (dynamic.value, dynamic.note) == (UNKNOWN, "set at run time from $.config")
    jsonata = reader.read_text(_request(), "Image")
    assert jsonata.value == UNKNOWN and jsonata.note == "set at run time by the JSONata expression {% $states.input.image %}"


def test_a_text_keeps_the_readers_typing():
    lenient = RequestReader().read_text(_request(), "VariantName")
    strict = ACK_READER.read_text(_request(), "VariantName")
    assert lenient.value == "12"
    assert strict.value == UNKNOWN and strict.malformed
