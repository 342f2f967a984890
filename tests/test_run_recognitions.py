"""`RunContext` records which adapters recognised each document, and as what."""

from __future__ import annotations

from linter.engine import LintOptions, RunContext
from linter.source import load_text


def documents(count: int):
    text = "".join(f"---\nkind: K{index}\n" for index in range(count))
    return load_text("stream.yaml", text).documents


def test_each_document_answers_with_its_own_recognitions():
    first, second, third = documents(3)
    run = RunContext((first, second, third), LintOptions())
    run.note_recognised(first, "kubernetes", "Kubernetes")
    run.note_recognised(first, "ack", None)
    run.note_recognised(second, "kubernetes", "Kubernetes")
    run.note_recognised(second, "kubernetes", "Kubernetes")  # twice: still one name
    assert run.recognised_by(first) == {"kubernetes", "ack"} and run.formats_of(first) == {"Kubernetes"}
    assert run.recognised_by(second) == {"kubernetes"} and run.formats_of(second) == {"Kubernetes"}
    assert run.recognised_by(third) == frozenset() and run.formats_of(third) == frozenset()


def test_documents_recognised_alike_share_one_record():
    many = documents(50)
    run = RunContext(many, LintOptions())
    for document in many:
        run.note_recognised(document, "kubernetes", "Kubernetes")
    kept = {id(run._recognitions[id(document)]) for document in many}
    assert len(kept) == 1
