"""Templates: the issue's templates/ override the defaults one file at a time; errors name file, line and
variable; the sandbox keeps a template from reading files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from issue.render import templates

PAPER = "# Results\n\nCooperation persisted after the crisis.\n"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_file_override_changes_only_that_page(cli, make_issue, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1577836800")
    root = make_issue({"papers/paper.md": PAPER})
    assert cli(["build", "--format", "html", "-q"], root).code == 0
    before = _tree(root / "build" / "html")
    (root / "templates").mkdir()
    default = (templates.PACKAGE_TEMPLATES / "html" / "abstracts.html").read_text()
    (root / "templates" / "abstracts.html").write_text(
        default.replace("<h1>Abstracts</h1>", "<h1>Abstracts of the papers</h1>"), encoding="utf-8")
    assert cli(["build", "--format", "html", "-q"], root).code == 0
    after = _tree(root / "build" / "html")
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"abstracts.html"}
    assert "<h1>Abstracts of the papers</h1>" in after["abstracts.html"].decode()


def test_override_of_the_base_layout_reaches_every_page(cli, make_issue):
    root = make_issue({"papers/paper.md": PAPER})
    (root / "templates").mkdir()
    base = (templates.PACKAGE_TEMPLATES / "html" / "base.html").read_text()
    (root / "templates" / "base.html").write_text(base.replace("Skip to content", "Skip to the text"), encoding="utf-8")
    assert cli(["build", "--format", "html", "-q"], root).code == 0
    for page in ("index.html", "paper.html", "abstracts.html"):
        assert "Skip to the text" in (root / "build" / "html" / page).read_text()


def test_undefined_variable_names_template_file_line_and_name(cli, make_issue):
    root = make_issue({"papers/paper.md": PAPER,
                       "templates/abstracts.html": '{% extends "base.html" %}\n{% block main %}\n<h1>{{ issue.title }}</h1>\n'
                                                    '<p>{{ contributions.papr.title }}</p>\n{% endblock %}\n'})
    (root / "build").mkdir()
    (root / "build" / "keep.txt").write_text("old build")
    result = cli(["build", "--format", "html"], root)
    assert result.code == 1
    assert "T101" in result.stderr
    assert "templates/abstracts.html:4" in result.stderr
    assert "'papr'" in result.stderr and "did you mean 'paper'" in result.stderr
    assert "Traceback" not in result.stderr


def test_undefined_top_level_name_suggests_the_close_one(make_issue):
    root = make_issue({"templates/x.html": "<p>\n{{ contributoins }}\n</p>"})
    env = templates.environment(root)
    with pytest.raises(templates.TemplateProblem) as err:
        templates.render(env, "x.html", {"contributions": [], "issue": None})
    d = err.value.diagnostic
    assert (d.code, d.location.file, d.location.line) == ("T101", "templates/x.html", 2)
    assert "'contributoins' is undefined" in d.message and "contributions" in d.suggestion


def test_syntax_error_is_located(make_issue):
    root = make_issue({"templates/landing.html": "<h1>{{ issue.title }</h1>\n"})
    env = templates.environment(root)
    with pytest.raises(templates.TemplateProblem) as err:
        templates.render(env, "landing.html", {"issue": None})
    d = err.value.diagnostic
    assert d.location.file == "templates/landing.html" and d.location.line == 1
    assert "syntax error" in d.message


@pytest.mark.parametrize("source", [
    "{% include '../../../../../etc/passwd' %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ issue.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
])
def test_sandbox_refuses_to_read_files_or_reach_python(make_issue, source):
    root = make_issue({"templates/x.html": source})
    env = templates.environment(root)
    with pytest.raises(templates.TemplateProblem) as err:
        templates.render(env, "x.html", {"issue": object()})
    assert err.value.diagnostic.code == "T101"


def test_a_template_linked_to_a_file_outside_the_issue_is_refused(make_issue, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("the secret")
    root = make_issue({})
    (root / "templates").mkdir()
    os.symlink(secret, root / "templates" / "abstracts.html")
    env = templates.environment(root)
    with pytest.raises(templates.TemplateProblem) as err:
        templates.render(env, "abstracts.html", {})
    assert "outside" in err.value.diagnostic.message


def test_templates_cannot_modify_the_issue_model(make_issue):
    root = make_issue({"templates/x.html": "{{ items.append(3) }}"})
    env = templates.environment(root)
    with pytest.raises(templates.TemplateProblem):
        templates.render(env, "x.html", {"items": [1, 2]})


def test_html_templates_autoescape(make_issue):
    root = make_issue({"templates/x.html": "<p>{{ title }}</p>"})
    env = templates.environment(root)
    out = templates.render(env, "x.html", {"title": "<script>alert(1)</script> & co"})
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>"


def test_typst_kind_uses_its_own_defaults_and_escaping(make_issue):
    """The print writer's environment: templates/<kind>/ and templates/ first, escaping by `finalize`."""
    root = make_issue({"templates/typst/title.typ": "= {{ title }}"})
    env = templates.environment(root, "typst", finalize=lambda v: str(v).replace("#", "\\#"))
    assert templates.render(env, "title.typ", {"title": "#import"}) == "= \\#import"


def test_an_override_can_extend_the_default_it_replaces(cli, make_issue):
    root = make_issue({"papers/paper.md": PAPER,
                       "templates/landing.html": '{% extends "default/landing.html" %}\n'
                                                 '{% block about %}<p class="about">Call for papers</p>{% endblock %}\n'})
    assert cli(["build", "--format", "html", "-q"], root).code == 0
    landing = (root / "build" / "html" / "index.html").read_text()
    assert '<p class="about">Call for papers</p>' in landing
    assert ">Contents</h2>" in landing and ">Imprint</h2>" in landing  # the rest of the default is kept
