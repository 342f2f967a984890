"""What the SageMaker request reader resolves once, rather than again for every use of a value.

The ACK index of a large stream reads ~11 values of each of thousands of
objects through one `RequestReader`: these tests pin that a value is
resolved once where one read is enough, that a key table's answers are
made once per mapping, that the ACK reader reads a plain scalar without
resolving it again, and that the shorter reading gives the answers the
full one gives, for every kind of value a request holds (known, partly
unknown, set at run time, malformed, not written).
"""

from __future__ import annotations

import textwrap

import pytest

from linter import NOT_WRITTEN, UNKNOWN, Provenance
from linter.source import load_text

from plugins.adapters.aws.sagemaker_requests import NOT_EXPRESSION, RequestReader, ValueResolver
from plugins.adapters.aws.written_values import as_bool, as_int, as_str
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


# --- key tables: each mapping's answers made once -------------------------------------------

SPEC = """\
endpointConfigName: churn-config
ModelName.$: $.model
variantName: null
VariantName.$: $.variant
"""


def test_a_key_tables_answers_are_made_once_per_mapping():
    """The entry a tabled search finds is the one made with the mapping's table, not a new one per search."""
    tabled = ACK_READER.with_key_tables()
    spec = _request(SPEC)
    for name in ("EndpointConfigName", "ModelName", "VariantName"):
        first = tabled.find(spec, name)
        assert first is not None and tabled.find(spec, name) is first, name
        assert tabled.find(spec, name.lower()) is first, name
    (table,) = tabled.key_tables.values()
    assert {name: found.dynamic for name, found in table.items()} == {
        "endpointconfigname": None,
        "modelname.$": None,
        "variantname.$": None,
        "modelname": "$.model",
        "variantname": "$.variant",
    }


def test_a_tabled_search_of_a_path_finds_what_a_scan_finds():
    request = _request("OutputConfig: {NotificationConfig.$: $.topics, S3OutputPath: s3://out}\nResourceConfig: 3\n")
    tabled = ACK_READER.with_key_tables()
    for path in (("OutputConfig", "S3OutputPath"), ("OutputConfig", "NotificationConfig", "SuccessTopic"), ("ResourceConfig", "InstanceType"), ()):
        scanned, found = ACK_READER.find(request, *path), tabled.find(request, *path)
        assert (found and (found.node, found.dynamic)) == (scanned and (scanned.node, scanned.dynamic)), path


# --- the ACK reader's typed reads ---------------------------------------------------------------

TYPED = """\
Count: 2
Text: "2"
Flag: true
FlagText: "true"
Ratio: 1.5
Name: churn
Placeholder: ${MODEL}
Nothing: null
Dynamic.$: $.value
Huge: 10000000000000000000000000000000000000000
Marker: a@@mldeploy-lint-hole-0@@b
Angle: <YOUR BUCKET>
Listed: [a]
"""
NAMES = ["Count", "Text", "Flag", "FlagText", "Ratio", "Name", "Placeholder", "Nothing", "Dynamic", "Huge", "Marker", "Angle", "Listed", "Missing"]


def test_the_ack_readers_typed_reads_do_not_go_through_value(monkeypatch):
    """`read_str`/`read_int`/`read_bool` (and `read_text`) give `value_of` the strict converter themselves."""
    calls = []
    monkeypatch.setattr(type(ACK_READER), "value", lambda self, *args, **options: calls.append(args))
    request = _request(TYPED)
    ACK_READER.read_str(request, "Name"), ACK_READER.read_int(request, "Count"), ACK_READER.read_bool(request, "Flag"), ACK_READER.read_text(request, "Name")
    assert calls == []


@pytest.mark.parametrize("name", NAMES)
def test_the_ack_readers_typed_reads_answer_as_its_value_does(name):
    request = _request(TYPED)
    for read, convert, expected in (
        (ACK_READER.read_str, as_str, "a string"),
        (ACK_READER.read_int, as_int, "an integer"),
        (ACK_READER.read_bool, as_bool, "true or false"),
    ):
        through_value = ACK_READER.value(request, name, convert=convert, expected=expected)
        read_value = read(request, name)
        assert (read_value, read_value.raw) == (through_value, through_value.raw), (name, expected)
    assert ACK_READER.name_key(request, name) == RequestReader.name_key(ACK_READER, request, name)


def test_the_ack_reader_reads_a_plain_scalar_without_resolving_or_converting_it(monkeypatch):
    """A string, integer or boolean the resolver reads as itself is the value read (no `value_of`); anything else goes through it."""
    through = []
    value_of = RequestReader.value_of
    monkeypatch.setattr(RequestReader, "value_of", lambda self, found, *args: through.append(found.node.value) or value_of(self, found, *args))
    request = _request(TYPED)
    read = (ACK_READER.read_str(request, "Name"), ACK_READER.read_int(request, "Count"), ACK_READER.read_bool(request, "Flag"), ACK_READER.name_key(request, "Name"))
    assert [item.value if hasattr(item, "value") else item for item in read] == ["churn", 2, True, "=churn"]
    assert through == []
    ACK_READER.read_str(request, "Placeholder"), ACK_READER.read_int(request, "Text"), ACK_READER.read_bool(request, "FlagText")
    assert through == ["${MODEL}", "2", "true"]


def test_each_job_operation_is_read_by_its_builder_from_one_table(monkeypatch):
    """`job_deployments` looks the operation's reader up in a table made once, not in a dictionary made per request."""
    from plugins.adapters.aws import sagemaker_requests

    assert set(sagemaker_requests._JOB_BUILDERS) == set(sagemaker_requests.JOB_OPERATIONS)
    asked = []
    for operation in sagemaker_requests.JOB_OPERATIONS:
        monkeypatch.setitem(sagemaker_requests._JOB_BUILDERS, operation, lambda request, reader, context, operation=operation: asked.append(operation) or [])
    context = sagemaker_requests.JobContext(id="job", span=_request().span, origin="here")
    for operation in (*sagemaker_requests.JOB_OPERATIONS, sagemaker_requests.MODEL):
        assert sagemaker_requests.job_deployments(operation, _request(), RequestReader(), context) == []
    assert asked == list(sagemaker_requests.JOB_OPERATIONS)
