"""The bad-input corpus (tests/data/bad): cases, the files made at test time, and running `issue` on a case.

Shared by test_bad_inputs.py, test_untrusted.py and benchmarks/fuzz.py. Large, binary and symlinked inputs are made
here rather than committed: a 2 MB line, a zip bomb, a password-protected Word file, links out of the folder.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BAD = Path(__file__).resolve().parent / "data" / "bad"
BASE = BAD / "base"
EXE = str(Path(sys.executable).with_name("issue"))
SECRET = "SECRET-OUTSIDE-THE-ISSUE-7f3a9c"  # the text of every file outside the issue folder that a case points at
LONGEST_LINE = 1000  # a clear message fits on a line; no diagnostic may print a 2 MB field
DIAG_LINE = re.compile(r"^(?P<where>\S.*?): (?P<severity>error|warning|info)\[(?P<code>[A-Z]\d{3}) [a-z0-9-]+\]")


def cases() -> list[dict]:
    with (BAD / "cases.toml").open("rb") as f:
        return tomllib.load(f)["case"]


# -- files made at test time ----------------------------------------------------------------------------------
def _rng(name: str) -> random.Random:
    return random.Random(hashlib.sha256(name.encode()).digest())  # the same bytes on every run


def _base_bib() -> str:
    return (BASE / "bibliography" / "references.bib").read_text(encoding="utf-8")


def _write(root: Path, rel: str, data: bytes | str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


LATIN1_BIB = """% JabRef export, library encoding ISO 8859-1
@book{gotz2019,
  author    = {Götz, Jürgen and Sørensen, Åse},
  title     = {Zivil-militärische Zusammenarbeit in der Katastrophenhilfe},
  publisher = {Nomos},
  address   = {Baden-Baden},
  year      = {2019}
}
"""
BROKEN_BIB = """@book{weiss2013,
  title = {Humanitarian Business},
  author = {Weiss, Thomas G.},
  publisher = {Polity},
  year = {2013}
}

% the next entry lost a closing brace
@article{fung2016,
  author = {Fung, Courtney J.},
  title = {What Explains {China}'s Deployment to {UN} Peacekeeping Operations?,
  journal = {International Relations of the Asia-Pacific},
  year = {2016}
}
"""


def bib_latin1(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", LATIN1_BIB.encode("latin-1"))


def bib_invalid_utf8(root: Path, outside: Path) -> None:
    text = LATIN1_BIB.encode("latin-1").replace("Götz".encode("latin-1"), b"G\x81\x8dtz")
    _write(root, "bibliography/bad.bib", text)


def bib_utf16(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", LATIN1_BIB.encode("utf-16"))


def bib_bom(root: Path, outside: Path) -> None:
    _write(root, "bibliography/references.bib", b"\xef\xbb\xbf" + _base_bib().encode("utf-8"))


def bib_crlf(root: Path, outside: Path) -> None:
    _write(root, "bibliography/references.bib", _base_bib().replace("\n", "\r\n"))


def bib_crlf_broken(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", BROKEN_BIB.replace("\n", "\r\n"))


def bib_2mb_line(root: Path, outside: Path) -> None:
    words = "humanitarian assistance disaster relief regional cooperation peacekeeping norms".split()
    rng = _rng("abstract")
    abstract = " ".join(rng.choice(words) for _ in range(2 * 1024 * 1024 // 10))
    pasted = ("@article{pasted2019, author = {Pasted, Abstract}, title = {An Abstract Pasted Whole}, journal = "
              f"{{Journal of Tests}}, year = {{2019}}, abstract = {{{abstract}}}}}")
    _write(root, "bibliography/references.bib", " ".join(_base_bib().split()) + " " + pasted + "\n")


def bib_2mb_line_unclosed(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", "@book{k, title={" + "x" * (2 * 1024 * 1024) + "\n")


def bib_binary(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", _rng("bib").randbytes(4096))


def bib_nul(root: Path, outside: Path) -> None:
    _write(root, "bibliography/bad.bib", BROKEN_BIB.replace("Humanitarian Business", "Humani\0\0\0tarian Bus\x01iness"))


def bib_deep_braces(root: Path, outside: Path) -> None:
    n = 20_000
    _write(root, "bibliography/bad.bib", "@book{deep2020, author = {Deep, Brace}, publisher = {P}, year = {2020}, "
                                         "title = " + "{" * n + "Deep" + "}" * n + "}\n")


def bib_symlink_out(root: Path, outside: Path) -> None:
    secret = _write(outside, "secret.bib", "@book{secret, title = {" + SECRET + "}, author = {Out, Side}, "
                                           "publisher = {P}, year = {2020}}\n")
    (root / "bibliography" / "out.bib").symlink_to(secret)


def manifest_latin1(root: Path, outside: Path) -> None:
    text = (BASE / "issue.toml").read_text(encoding="utf-8").replace("Animosity", "Animosité")
    _write(root, "issue.toml", text.encode("latin-1"))


def manuscript_symlink_out(root: Path, outside: Path) -> None:
    secret = _write(outside, "secret.md", f"# Secret\n\n{SECRET}\n")
    (root / "papers" / "linked.md").symlink_to(secret)


def folder_symlink_out(root: Path, outside: Path) -> None:
    _write(outside, "shared/notes.md", f"# Notes\n\n{SECRET}\n")
    (root / "shared").symlink_to(outside / "shared", target_is_directory=True)


def docx_empty(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.docx", b"")


def docx_garbage(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.docx", _rng("docx").randbytes(8192))


def docx_zip_bomb(root: Path, outside: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(256):
                f.write(chunk)
    _write(root, "papers/bad.docx", buf.getvalue())


def docx_lying_zip_bomb(root: Path, outside: Path) -> None:
    """A zip bomb whose headers claim that document.xml unpacks to 1 KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(256):
                f.write(chunk)
    data = bytearray(buf.getvalue())
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # the uncompressed size of each member
        at = data.find(sig)
        while at >= 0:
            if data[at + offset:at + offset + 4] == (256 << 20).to_bytes(4, "little"):
                data[at + offset:at + offset + 4] = (1024).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    _write(root, "papers/bad.docx", bytes(data))


def docx_password(root: Path, outside: Path) -> None:
    # Word saves a password-protected .docx as an OLE compound file (EncryptedPackage), not as a zip
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    _write(root, "papers/bad.docx", header + _rng("ole").randbytes(4096))


def docx_encrypted_zip(root: Path, outside: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buf.getvalue())
    # set the "encrypted" flag (bit 0) in every local header (PK\3\4) and central directory entry (PK\1\2)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at >= 0:
            data[at + offset] |= 0x01
            at = data.find(sig, at + 4)
    _write(root, "papers/bad.docx", bytes(data))


def docx_plain_zip(root: Path, outside: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", "Peacekeeping in East Asia: notes for the editors.\n")
    _write(root, "papers/bad.docx", buf.getvalue())


def odt_garbage(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.odt", _rng("odt").randbytes(8192))


def md_latin1(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\nThe Sendai Framework\nshapes Japan's réponse to disasters.\n"
           .encode("latin-1"))


def txt_binary(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.txt", b"\xff\xfe" + _rng("txt").randbytes(4096))


def md_nul(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\nPeace\0keeping in\x01 East\x1b[31m Asia\x7f grew "
                                  "after 1992 [@keohane1984after].\n\n# References\n")


SENTENCES = [
    "Regional organisations in East Asia have coordinated disaster relief since the 2004 tsunami.",
    "Militaries are often the first responders, which makes civil-military coordination essential.",
    "As Keohane (1984) argued, cooperation is not the same thing as harmony.",
    "The ASEAN Regional Forum has held disaster relief exercises since 2009.",
    "Peacekeeping contributions by China, Japan and South Korea grew in the same period.",
]


def _megabyte_paragraph(name: str) -> str:
    rng = _rng(name)
    out: list[str] = []
    size = 0
    while size < 1024 * 1024:
        s = rng.choice(SENTENCES)
        out.append(s)
        size += len(s) + 1
    return " ".join(out)


def md_1mb_paragraph(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\n" + _megabyte_paragraph("md") + "\n\n# References\n")


def txt_1mb_paragraph(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.txt", "Introduction\n\n" + _megabyte_paragraph("txt") + "\n")


def md_1mb_word(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\n" + "peace" * (1024 * 1024 // 5) + "\n")


def md_deep_quotes(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\n" + "> " * 3000 + "deep\n")


def md_deep_list(root: Path, outside: Path) -> None:
    _write(root, "papers/bad.md", "# Introduction\n\n" + "".join("  " * i + "- item\n" for i in range(1500)))


def template_symlink_out(root: Path, outside: Path) -> None:
    secret = _write(outside, "landing.html", SECRET + "\n{{ issue.title }}\n")
    (root / "templates" / "html").mkdir(parents=True, exist_ok=True)
    (root / "templates" / "html" / "landing.html").symlink_to(secret)


def template_latin1(root: Path, outside: Path) -> None:
    _write(root, "templates/html/landing.html",
           '{% extends "base.html" %}\n{% block main %}\n<h1>Numéro spécial</h1>\n{% endblock %}\n'.encode("latin-1"))


GENERATORS: dict[str, Callable[[Path, Path], None]] = {
    f.__name__: f for f in (
        bib_latin1, bib_invalid_utf8, bib_utf16, bib_bom, bib_crlf, bib_crlf_broken, bib_2mb_line,
        bib_2mb_line_unclosed, bib_binary, bib_nul, bib_deep_braces, bib_symlink_out, manifest_latin1,
        manuscript_symlink_out, folder_symlink_out, docx_empty, docx_garbage, docx_zip_bomb, docx_lying_zip_bomb,
        docx_password,
        docx_encrypted_zip, docx_plain_zip, odt_garbage, md_latin1, txt_binary, md_nul, md_1mb_paragraph,
        txt_1mb_paragraph, md_1mb_word, md_deep_quotes, md_deep_list, template_symlink_out, template_latin1)
}


def apply(case: dict, root: Path, outside: Path) -> None:
    """Turn the clean issue at `root` into the case's bad one."""
    outside.mkdir(parents=True, exist_ok=True)
    for dest, src in case.get("files", {}).items():
        _write(root, dest, (BAD / src).read_bytes())
    if "make" in case:
        GENERATORS[case["make"]](root, outside)
    extra = ""
    if "contribution" in case:
        extra += (f'\n[[contributions]]\nid = "bad"\nfile = "{case["contribution"]}"\n'
                  'title = "A Manuscript From Another Program"\n')
    extra += case.get("append", "")
    if extra:
        with (root / "issue.toml").open("a", encoding="utf-8") as f:
            f.write(extra)


# -- running issue ----------------------------------------------------------------------------------------------
@dataclass
class Run:
    status: int
    out: str

    def diagnostics(self) -> list[tuple[str, str]]:
        """(code, place) of each diagnostic in the text output."""
        return [(m.group("code"), m.group("where")) for m in map(DIAG_LINE.match, self.out.splitlines()) if m]


def check_in_process(root: Path) -> Run:
    """`issue check` in this process (no start-up cost); stdout and stderr together."""
    from issue.cli import run

    buf = io.StringIO()
    old = os.environ.get("NO_COLOR")
    os.environ["NO_COLOR"] = "1"
    try:
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
            status = run(["--project", str(root), "check"])
    finally:
        if old is None:
            os.environ.pop("NO_COLOR", None)
        else:
            os.environ["NO_COLOR"] = old
    return Run(status, buf.getvalue())


def issue(root: Path, *args: str, timeout: float = 900) -> Run:
    """`issue ARGS` as a real process in `root`."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("ISSUE_DEBUG", None)
    p = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=timeout)
    return Run(p.returncode, p.stdout + p.stderr)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its hash (the build cache is not an output)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not rel.startswith(".cache/"):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@dataclass
class Outcome:
    name: str
    problems: list[str] = field(default_factory=list)
    check: Run | None = None
    build: Run | None = None

    @property
    def behaved(self) -> bool:
        return not self.problems


def judge(case: dict, root: Path, built_before: dict[str, str] | None) -> Outcome:
    """Run the case (already applied at `root`) and list every way it misbehaves."""
    o = Outcome(case["name"])
    o.check = check_in_process(root)
    runs = [("check", o.check)]
    if o.check.status != case["check"]:
        o.problems.append(f"`issue check` exited {o.check.status}, expected {case['check']}")
    if "build" in case:
        args = ["build", "--quiet"] + (["--format", case["build_format"]] if "build_format" in case else [])
        o.build = issue(root, *args)
        runs.append(("build", o.build))
        if o.build.status != case["build"]:
            o.problems.append(f"`issue build` exited {o.build.status}, expected {case['build']}")
        if o.build.status != 0 and built_before is not None and snapshot(root / "build") != built_before:
            o.problems.append("`issue build` failed but build/ changed")
        if list(root.glob(".issue-build-*")):
            o.problems.append("`issue build` left a staging folder behind")
    found: list[tuple[str, str]] = []
    for what, r in runs:
        if "Traceback" in r.out or "internal error" in r.out:
            o.problems.append(f"`issue {what}` printed a traceback or an internal error: {_tail(r.out)}")
        long = max((len(line) for line in r.out.splitlines()), default=0)
        if long > LONGEST_LINE:
            o.problems.append(f"`issue {what}` printed a line of {long} characters")
        found += r.diagnostics()
    codes = {c for c, _ in found}
    for code in case.get("codes", []):
        if code not in codes:
            o.problems.append(f"{code} was not reported (reported: {', '.join(sorted(codes)) or 'nothing'})")
    for code in case.get("absent", []):
        if code in codes:
            o.problems.append(f"{code} was reported: " + "; ".join(w for c, w in found if c == code))
    wanted = set(case.get("codes", []))
    for place in case.get("where", []):
        if not any(c in wanted and (w == place or w.startswith(place + ":") or (place.endswith(":") and
                                                                                w.startswith(place)))
                   for c, w in found):
            o.problems.append(f"no {'/'.join(sorted(wanted))} at {place} (places: "
                              f"{', '.join(w for c, w in found if c in wanted) or 'none'})")
    return o


def _tail(text: str, n: int = 600) -> str:
    return " ".join(text.split())[-n:]


def prepare_base(folder: Path) -> tuple[Path, dict[str, str]]:
    """The clean issue, built once: every case starts from a copy with this build/ in it."""
    root = folder / "base"
    if not root.exists():
        shutil.copytree(BASE, root)
        r = issue(root, "build", "--quiet")
        assert r.status == 0, f"the clean issue does not build: {r.out}"
    return root, snapshot(root / "build")


def fresh(base: Path, folder: Path) -> tuple[Path, Path]:
    """A copy of the built clean issue, and a folder beside it for files outside the issue."""
    root = folder / "issue"
    shutil.copytree(base, root, symlinks=True)
    return root, folder / "outside"
