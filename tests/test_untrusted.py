"""Authors' files are untrusted: each injection is tried and every output checked.

One issue is built with every kind of injection at once: <script> and event handlers in Markdown, \\input in
LaTeX, raw Typst and raw LaTeX blocks, include syntaxes, images and links to files outside the issue folder,
Typst code written as prose, and HTML in the manifest's metadata and in the bibliography. Then:
- the HTML pages have no script, event handler, javascript: URL or frame, and each carries a Content-Security-Policy;
- the EPUB's pages and the JATS XML have none either;
- the text of a file outside the issue folder (and /etc/passwd) is in no output, not even inside a zip or a PDF;
- Typst code written in a manuscript is printed, not run;
- nothing is written outside the issue folder except build/;
- every pandoc run is sandboxed, and templates can reach no file.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import re
import shutil
import zipfile
from pathlib import Path, PurePath

import pytest

from badinputs import BAD, BASE, SECRET, issue, snapshot

PASSWD_MARK = "root:x:0:0"  # the first line of /etc/passwd on every Linux
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "form"}
UNSAFE_URL = re.compile(r"^\s*(?:javascript|vbscript|data:text/html|file):", re.I)
TYPST_PROSE = "#set page(width: 2cm) and #read(\"/etc/passwd\") are written here as text"


def _contribution(cid: str, file: str, title: str) -> str:
    return f'\n[[contributions]]\nid = "{cid}"\nfile = "{file}"\ntitle = "{title}"\n'


def make_injected(folder: Path) -> tuple[Path, Path]:
    """The clean issue with every injection added; returns (issue folder, folder outside it)."""
    root, outside = folder / "issue", folder / "outside"
    shutil.copytree(BASE, root)
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n")
    (outside / "secret.png").write_text(SECRET + "\n")
    (outside / "secret.tex").write_text(SECRET + "\n")
    rel = os.path.relpath(secret, root / "papers")
    for name in ("script.md", "latex_input.tex", "raw_typst.md", "include_syntax.md"):
        shutil.copy(BAD / "manuscript" / name, root / "papers" / name)
    (root / "papers" / "outside.md").write_text(f"""---
title: "Files Outside the Issue"
header-includes: <script>alert("header")</script>
---

# Introduction

Coordination between militaries improved after 2004 [@keohane1984after].

![A map]({secret}) and ![another map]({rel}) and [a link](file://{secret}).

<iframe src="file://{secret}"></iframe>

\\input{{{outside / 'secret'}}}

{TYPST_PROSE}.

# References
""")
    (root / "papers" / "outside.tex").write_text(f"""\\documentclass{{article}}
\\begin{{document}}
\\section{{Introduction}}
Peacekeeping grew in the region \\cite{{mitrany1966working}}.

\\input{{{outside / 'secret'}}}
\\include{{{os.path.relpath(outside / 'secret', root / 'papers')}}}
\\includegraphics{{{outside / 'secret.png'}}}
\\end{{document}}
""")
    with (root / "bibliography" / "references.bib").open("a") as f:
        f.write("""
@article{injected2020,
  author = {Inject, Ann <img src=x onerror=alert(1)>},
  title = {<script>alert('bib')</script> and \\input{/etc/passwd} and #read("/etc/passwd")},
  journal = {Journal of <b onmouseover=alert(2)>Tests</b>},
  year = {2020},
  url = {javascript:alert(3)},
}
""")
    (root / "papers" / "script.md").write_text((root / "papers" / "script.md").read_text()
                                              + "\nSee also @injected2020.\n")
    manifest = (root / "issue.toml").read_text().replace(
        'year = 2020', 'year = 2020\nsubtitle = "<script>alert(\'subtitle\')</script> #read(\\"/etc/passwd\\")"')
    manifest = manifest.replace('affiliation = "Australian National University"',
                                'affiliation = "<img src=x onerror=alert(4)>", bio = "<script>alert(5)</script>"')
    manifest += "".join(_contribution(cid, f"papers/{f}", t) for cid, f, t in [
        ("script", "script.md", "Script <script>alert('contribution')</script>"),
        ("latex", "latex_input.tex", "LaTeX Input"),
        ("typst", "raw_typst.md", "Raw Typst #read(\\\"/etc/passwd\\\")"),
        ("include", "include_syntax.md", "Include Syntax"),
        ("outside", "outside.md", "Outside"),
        ("outsidetex", "outside.tex", "Outside in LaTeX"),
    ])
    (root / "issue.toml").write_text(manifest)
    return root, outside


def _tree(folder: Path, skip: Path) -> dict[str, str]:
    """Every file under `folder` except those under `skip`, with its hash."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_relative_to(skip) and p.name != ".issue-build.lock":
            out[p.relative_to(folder).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The injected issue, built in-process with every output, recording each pandoc command."""
    from issue import pandoc
    from issue.cli import run

    folder = tmp_path_factory.mktemp("untrusted")
    root, outside = make_injected(folder)
    before = _tree(folder, root / "build")
    package = Path(pandoc.__file__).parent
    package_before = _package_tree(package)
    commands: list[list[str]] = []
    real = pandoc.subprocess.Popen

    def recording(cmd, *args, **kwargs):
        commands.append(list(cmd))
        return real(cmd, *args, **kwargs)

    pandoc.subprocess.Popen = recording
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            status = run(["--project", str(root), "build", "--quiet"])
    finally:
        pandoc.subprocess.Popen = real
    return {"root": root, "folder": folder, "status": status, "out": buf.getvalue(), "before": before,
            "after": _tree(folder, root / "build"), "commands": commands,
            "package_before": package_before, "package_after": _package_tree(package)}


def _package_tree(package: Path) -> dict[str, str]:
    """The installed package's files, but Python's own compiled modules (the interpreter writes those)."""
    return {k: v for k, v in _tree(package, package / "nonexistent").items() if not k.endswith(".pyc")}


def test_the_injected_issue_builds(built):
    assert built["status"] == 0, built["out"]
    assert "Traceback" not in built["out"] and "internal error" not in built["out"]
    for out in ("html/index.html", "html/script.html", "html/outside.html"):
        assert (built["root"] / "build" / out).is_file(), out


# -- HTML -------------------------------------------------------------------------------------------------------
def _html_problems(markup: bytes | str, name: str, xml: bool = False) -> list[str]:
    from lxml import etree, html

    tree = etree.fromstring(markup if isinstance(markup, bytes) else markup.encode()) if xml else \
        html.document_fromstring(markup)
    problems = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname.lower()
        if tag in FORBIDDEN_TAGS:
            problems.append(f"{name}: <{tag}>")
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                problems.append(f"{name}: <{tag} {local}=...>")
            if local in ("href", "src", "action", "formaction", "xlink:href", "data", "poster") and \
                    UNSAFE_URL.match(value):
                problems.append(f"{name}: <{tag} {local}={value!r}>")
    return problems


def test_html_pages_have_no_script_handler_or_unsafe_url(built):
    pages = sorted((built["root"] / "build" / "html").rglob("*.html"))
    assert len(pages) >= 8
    problems = [p for page in pages for p in _html_problems(page.read_bytes(), page.name)]
    assert problems == []


def test_the_injected_text_is_shown_escaped_not_dropped_silently(built):
    index = (built["root"] / "build" / "html" / "index.html").read_text()
    assert "&lt;script&gt;alert(&#39;subtitle&#39;)&lt;/script&gt;" in index or \
        "&lt;script&gt;alert('subtitle')&lt;/script&gt;" in index
    script = (built["root"] / "build" / "html" / "script.html").read_text()
    assert "Japan and South Korea" in script  # the prose around the dropped markup is kept
    assert "document.cookie" not in script and "display: none" not in script


CSP_REQUIRED = {"default-src": "'none'", "base-uri": "'none'"}


def test_every_page_carries_a_content_security_policy(built):
    from lxml import html

    for page in sorted((built["root"] / "build" / "html").rglob("*.html")):
        doc = html.document_fromstring(page.read_bytes())
        metas = doc.xpath('//meta[translate(@http-equiv, "CSP", "csp")="content-security-policy"]')
        assert metas, f"{page.name} has no Content-Security-Policy"
        directives = {}
        for part in metas[0].get("content", "").split(";"):
            words = part.split()
            if words:
                directives[words[0]] = words[1:]
        for name, value in CSP_REQUIRED.items():
            assert value in directives.get(name, []), f"{page.name}: {name} should be {value}"
        script = directives.get("script-src", directives["default-src"])
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script), f"{page.name}: {script}"


# -- EPUB, JATS, DOCX, PDF --------------------------------------------------------------------------------------
def _outputs(built, suffix: str) -> list[Path]:
    """The outputs (not the build cache, which holds fragments)."""
    build = built["root"] / "build"
    return sorted(p for p in build.rglob(f"*{suffix}") if not p.relative_to(build).as_posix().startswith(".cache/"))


def test_epub_pages_have_no_script_handler_or_unsafe_url(built):
    epubs = _outputs(built, ".epub")
    if not epubs:
        pytest.skip("no EPUB writer in this build")
    problems = []
    for epub in epubs:
        with zipfile.ZipFile(epub) as z:
            for name in z.namelist():
                if name.endswith((".xhtml", ".html")):
                    problems += _html_problems(z.read(name), f"{epub.name}:{name}", xml=True)
    assert problems == []


def test_jats_is_well_formed_and_carries_no_markup_from_authors(built):
    files = [p for p in _outputs(built, ".xml") if "jats" in p.as_posix()]
    if not files:
        pytest.skip("no JATS writer in this build")
    for f in files:
        assert _html_problems(f.read_bytes(), f.name, xml=True) == []


def _texts_of(path: Path) -> list[tuple[str, str]]:
    """(name, text) of a file and, for zips (EPUB, DOCX, ODT) and PDFs, of what is inside them."""
    data = path.read_bytes()
    out = [(path.name, data.decode("utf-8", "replace"))]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            out += [(f"{path.name}:{n}", z.read(n).decode("utf-8", "replace")) for n in z.namelist()]
    elif data[:5] == b"%PDF-":
        from pypdf import PdfReader

        out += [(f"{path.name}:page {i + 1}", page.extract_text() or "")
                for i, page in enumerate(PdfReader(io.BytesIO(data)).pages)]
    return out


def test_no_output_holds_text_from_outside_the_issue_folder(built):
    leaks = []
    files = [p for p in sorted((built["root"] / "build").rglob("*")) if p.is_file()]
    assert any(p.suffix == ".html" for p in files)
    for p in files:  # the build cache too
        for name, text in _texts_of(p):
            for mark in (SECRET, PASSWD_MARK):
                if mark in text:
                    leaks.append(f"{name} holds {mark!r}")
    assert leaks == []


def test_typst_code_written_in_a_manuscript_is_printed_not_run(built):
    pdfs = [p for p in _outputs(built, ".pdf") if p.name == "issue.pdf"]
    if not pdfs:
        pytest.skip("no PDF writer in this build")
    from pypdf import PdfReader

    reader = PdfReader(pdfs[0])
    widths = {round(float(page.mediabox.width)) for page in reader.pages}
    assert min(widths) > 200, f"a page is {min(widths)} pt wide: '#set page(width: 2cm)' was run"
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    flat = " ".join(text.split())
    assert "set page(width: 2cm)" in flat, "the Typst-looking prose is not printed as written"
    assert 'read("/etc/passwd")' in flat.replace("“", '"').replace("”", '"')


# -- the file system --------------------------------------------------------------------------------------------
def test_nothing_is_written_outside_build(built):
    assert built["after"] == built["before"], "files outside build/ changed"


def test_nothing_is_written_into_the_installed_package(built):
    # not even a cache of compiled templates: the package may be read-only or shared between users
    assert built["package_after"] == built["package_before"]


def test_every_pandoc_run_is_sandboxed(built):
    from issue.pandoc import pandoc_path

    runs = [cmd for cmd in built["commands"] if cmd and cmd[0] == pandoc_path()]
    assert runs, "the build ran no pandoc: the recording did not work"
    for cmd in runs:
        assert "--sandbox" in cmd, cmd


def test_pandoc_is_only_run_through_issue_pandoc():
    """Every module runs pandoc through issue.pandoc.run (which adds --sandbox and the timeout), never directly."""
    src = Path(__file__).resolve().parent.parent / "src" / "issue"
    offenders = []
    for f in sorted(src.rglob("*.py")):
        if f.name == "pandoc.py" and f.parent == src:
            continue
        text = f.read_text(encoding="utf-8")
        for pattern in (r"pypandoc\.convert", r"(?:subprocess\.\w+|Popen|os\.system)\([^)]*pandoc",
                        r"\[\s*['\"]pandoc['\"]"):
            if re.search(pattern, text):
                offenders.append(f"{f.relative_to(src)}: {pattern}")
    assert offenders == []


# -- templates --------------------------------------------------------------------------------------------------
def _reachable(value, seen: set[int], path: str, found: list[str], depth: int = 0) -> None:
    """Walk what a template can reach from a value (attributes, items) and note paths, files and modules."""
    import types

    if id(value) in seen or depth > 12 or isinstance(value, (str, bytes, int, float, bool, type(None))):
        return
    seen.add(id(value))
    if isinstance(value, PurePath):
        found.append(f"{path} is a path ({value})")
        return
    if isinstance(value, (io.IOBase, types.ModuleType)):
        found.append(f"{path} is {type(value).__name__}")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _reachable(v, seen, f"{path}[{k!r}]", found, depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            _reachable(v, seen, f"{path}[{i}]", found, depth + 1)
        return
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _reachable(getattr(value, f.name, None), seen, f"{path}.{f.name}", found, depth + 1)
    attrs = getattr(value, "__dict__", None)
    if isinstance(attrs, dict):
        for k, v in attrs.items():
            _reachable(v, seen, f"{path}.{k}", found, depth + 1)
    if hasattr(value, "__iter__") and hasattr(value, "__len__") and not isinstance(value, type):
        try:
            items = list(value)
        except Exception:
            return
        for i, v in enumerate(items):
            _reachable(v, seen, f"{path}[{i}]", found, depth + 1)


def test_the_template_model_holds_no_path_file_or_module(built):
    """A sandboxed template may still call a method on any object it reaches; none of them is a path or a file, so
    no template can read one (Path.read_text would be a plain method call)."""
    html_writer = pytest.importorskip("issue.render.html")
    from issue.pipeline import Context, run_checks
    from issue.project import load_issue

    issue_, _ = load_issue(built["root"])
    ctx = Context(issue=issue_)
    run_checks(ctx)
    model = html_writer.build_model(ctx, style_title="Chicago", page_of=html_writer.page_of)
    found: list[str] = []
    seen: set[int] = set()
    for name, value in model.as_context().items():
        _reachable(value, seen, name, found)
    assert found == []


GADGETS = {
    "include-absolute": '{% include "' + "{outside}/secret.txt" + '" %}',
    "include-relative": '{% include "../../outside/secret.txt" %}',
    "import": '{% import "{outside}/secret.txt" as s %}',
    "extends-outside": '{% extends "../../outside/secret.txt" %}',
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('cat {outside}/secret.txt').read() }}",
    "self-context": "{{ self._TemplateReference__context }}",
    "namespace-init": "{{ namespace.__init__.__globals__ }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(issue) }}",
    "attr-filter": "{{ issue|attr('__class__') }}",
    "include-from-title": "{% include issue.title %}",
}


@pytest.mark.parametrize("gadget", sorted(GADGETS))
def test_a_template_cannot_read_a_file(gadget, tmp_path):
    root = tmp_path / "issue"
    shutil.copytree(BASE, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n")
    body = GADGETS[gadget].replace("{outside}", str(outside))
    if gadget == "include-from-title":
        text = (root / "issue.toml").read_text()
        (root / "issue.toml").write_text(text.replace('title = "Cooperation and Coordination in a Context of Animosity"',
                                                      f'title = "{outside}/secret.txt"', 1))
    template = root / "templates" / "html" / "landing.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}\n{% block main %}\n' + body + "\n{% endblock %}\n"
                        if not body.startswith("{% extends") else body + "\n")
    r = issue(root, "build", "--quiet", "--format", "html")
    assert "Traceback" not in r.out and "internal error" not in r.out, r.out
    assert SECRET not in r.out
    assert r.status == 1, r.out
    assert "T101" in r.out, r.out
    assert not (root / "build").exists() or all(SECRET not in (root / "build" / rel).read_text("utf-8", "replace")
                                                for rel in snapshot(root / "build"))
