"""Reporters: compiler-style text, JSON with every field, GitHub annotations; exit codes and NO_COLOR."""
from __future__ import annotations

import json

from issue.diagnostics.core import Diagnostic, Exemptions, Findings, Severity, make
from issue.diagnostics.reporters import format_github, format_json, format_text
from issue.model import Location


def sample() -> list[Diagnostic]:
    line = "Mitrany (1966) argued that functional cooperation spreads (Keohan 1984, 51)."
    start = line.index("Keohan 1984")
    return [
        Diagnostic("M106", "missing-file", Severity.ERROR, "'papers/jnoes.docx' does not exist",
                   Location("issue.toml", line=14, column=1), excerpt="papers/jnoes.docx",
                   suggestion="did you mean 'papers/jones.docx'?"),
        Diagnostic("D106", "no-reference-list", Severity.INFO, "no reference-list section", Location("papers/cook.docx")),
        Diagnostic("C202", "author-spelling", Severity.WARNING, "'Keohan 1984' matches Keohane 1984 only approximately",
                   Location("papers/jones.docx", paragraph=42, column=start + 1, paragraph_words="Mitrany (1966) argued"),
                   excerpt="Keohan 1984", suggestion="write 'Keohane 1984'", context=line, context_start=start),
    ]


def test_text_is_compiler_style_with_the_span_marked():
    out = format_text(sample(), colour=False)
    lines = out.splitlines()
    assert lines[0] == "issue.toml:14:1: error[M106 missing-file]: 'papers/jnoes.docx' does not exist"
    assert "  = help: did you mean 'papers/jones.docx'?" in out
    head = next(i for i, l in enumerate(lines) if l.startswith("papers/jones.docx:¶42:"))
    assert lines[head].startswith("papers/jones.docx:¶42:60: warning[C202 author-spelling]:")
    source, marks = lines[head + 2], lines[head + 3]
    col = source.index("Keohan 1984")
    assert marks[col:col + len("Keohan 1984")] == "^" * len("Keohan 1984")
    assert lines[-1] == "found 1 error, 1 warning, 1 info"


def test_text_has_no_escape_codes_without_colour_and_some_with_it():
    assert "\x1b[" not in format_text(sample(), colour=False)
    assert "\x1b[" in format_text(sample(), colour=True)


def test_json_carries_every_field_and_the_extracted_records():
    payload = json.loads(format_json(sample(), {"citations": [{"text": "Keohan 1984"}]}))
    assert payload["version"] == 1
    first = payload["diagnostics"][0]
    assert first == {"code": "M106", "name": "missing-file", "severity": "error",
                     "message": "'papers/jnoes.docx' does not exist", "file": "issue.toml", "line": 14, "column": 1,
                     "excerpt": "papers/jnoes.docx", "suggestion": "did you mean 'papers/jones.docx'?"}
    assert payload["diagnostics"][2]["paragraph"] == 42
    assert payload["summary"] == {"error": 1, "warning": 1, "info": 1}
    assert payload["citations"] == [{"text": "Keohan 1984"}]


def test_github_annotations():
    out = format_github(sample()).splitlines()
    assert out[0] == ("::error file=issue.toml,line=14,col=1,title=M106 missing-file::'papers/jnoes.docx' does not exist"
                      " (help: did you mean 'papers/jones.docx'?)")
    assert out[1].startswith("::notice file=papers/cook.docx,title=D106 no-reference-list::")
    assert out[2].startswith("::warning file=papers/jones.docx,title=C202 author-spelling::¶42: ")


def test_check_table_changes_severity_and_ignores_codes():
    f = Findings(sample()).configured({"ignore": ["no-reference-list"], "severity": {"C202": "error"}})
    assert [(d.code, d.severity.value) for d in f.items] == [("M106", "error"), ("C202", "error")]
    f = Findings(sample()).configured({"severity": {"missing-file": "ignore"}})
    assert "M106" not in [d.code for d in f.items]


def test_inline_exemption_silences_one_line_only():
    ex = Exemptions()
    ex.add("issue.toml", line=14, codes=["M106"])
    assert [d.code for d in Findings(sample()).configured({}, ex).items] == ["D106", "C202"]
    ex = Exemptions()
    ex.add("issue.toml", line=15)
    assert len(Findings(sample()).configured({}, ex).items) == 3


def test_make_takes_name_and_severity_from_the_registry():
    d = make("M101", "TOML syntax: oops", Location("issue.toml", line=1, column=1))
    assert (d.name, d.severity) == ("manifest-syntax", Severity.ERROR)
