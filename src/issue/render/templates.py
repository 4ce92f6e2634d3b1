"""The Jinja2 environment every writer renders with.

Templates are looked up in the issue's own templates/ folder first and in the package's defaults
(src/issue/templates/<kind>/) last, so that a user overrides one file at a time, as MkDocs and Sphinx themes do.
The environment is sandboxed (a template can neither read files nor call unsafe methods, and cannot modify the
issue model), undefined names are errors, and HTML templates autoescape. Every failure becomes a T101 diagnostic
naming the template file, its line and the offending name, instead of a traceback.
"""
from __future__ import annotations

import difflib
import re
import traceback
from pathlib import Path
from typing import Any, Callable

from jinja2 import (BaseLoader, BytecodeCache, ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader,
                    StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError,
                    select_autoescape)
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing

from ..diagnostics.core import Diagnostic, make
from ..model import Location
from . import rules as R

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
USER_FOLDER = "templates"


class TemplateProblem(Exception):
    """A template that cannot be rendered; carries its T101 diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class IssueUndefined(StrictUndefined):
    """StrictUndefined with messages that name what is missing and what exists."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:  # type: ignore[override]
        if self._undefined_hint:
            return self._undefined_hint
        name, obj = self._undefined_name, self._undefined_obj
        if obj is missing:
            return f"'{name}' is undefined"
        known = getattr(obj, "known_names", None)
        if callable(known):
            names = known()
            close = difflib.get_close_matches(str(name), names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(names)}"
            return f"no {getattr(obj, 'what', 'item')} '{name}'{hint}"
        fields = getattr(obj, "__dataclass_fields__", None)
        if fields:
            close = difflib.get_close_matches(str(name), list(fields), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return f"{type(obj).__name__} has no field '{name}'{hint}"
        return f"{type(obj).__name__} has no attribute '{name}'"


class _InsideLoader(FileSystemLoader):
    """A FileSystemLoader that refuses files reached through a symlink pointing outside its folder, and remembers
    which file each template came from (for diagnostics)."""

    def __init__(self, folder: Path, display: Callable[[str], str], files: dict[str, str]):
        super().__init__(str(folder), followlinks=False)
        self.folder = folder.resolve()
        self.display = display
        self.files = files

    def get_source(self, environment, template):
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            self.files[str(self.folder / template)] = self.display(template)  # so the finding names the file
            line = exc.object[:exc.start].count(b"\n") + 1 if isinstance(exc.object, bytes) else None
            raise TemplateSyntaxError(f"the template is not UTF-8 (byte 0x{exc.object[exc.start]:02x}); save it as "
                                      "UTF-8", line or 1, template, str(self.folder / template)) from None
        real = Path(filename).resolve()
        if not real.is_relative_to(self.folder):
            self.files[filename] = self.display(template)  # so the finding names the file
            # not TemplateNotFound: the ChoiceLoader would quietly fall back to the default
            raise SecurityError(f"{self.display(template)} links to a file outside the issue's templates folder")
        self.files[filename] = self.display(template)
        return source, filename, uptodate


class IssueEnvironment(ImmutableSandboxedEnvironment):
    """The sandboxed environment, with the map from template files to the names shown in diagnostics."""

    template_files: dict[str, str]
    kind: str

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # the issue model's own views (plain dataclasses, none of them a mutable container, no attribute that
        # reaches Python's internals) need only the underscore test the sandbox would end with; asked about ten
        # thousand times a build, the full test costs a tenth of a second
        if type(obj).__module__ == _MODEL_MODULE:
            return not attr.startswith("_")
        return super().is_safe_attribute(obj, attr, value)


_MODEL_MODULE = "issue.render.context"


def environment(root: Path | None, kind: str = "html", *, cache_dir: Path | None = None,
                finalize: Callable[[Any], Any] | None = None, autoescape: bool | None = None) -> IssueEnvironment:
    """The environment for one output kind ("html", "typst", ...).

    Lookup order: <root>/templates/<kind>/NAME, <root>/templates/NAME, then the package's templates/<kind>/NAME;
    `default/NAME` names the package's template even when the issue overrides NAME.
    HTML (and XML) templates autoescape; other kinds pass `finalize` to escape for their own syntax.
    """
    files: dict[str, str] = {}
    loaders: list[BaseLoader] = []
    if root is not None:
        user = root / USER_FOLDER
        if (user / kind).is_dir():
            loaders.append(_InsideLoader(user / kind, lambda n: f"{USER_FOLDER}/{kind}/{n}", files))
        if user.is_dir():
            loaders.append(_InsideLoader(user, lambda n: f"{USER_FOLDER}/{n}", files))
    defaults = _InsideLoader(PACKAGE_TEMPLATES / kind, lambda n: f"(default) templates/{kind}/{n}", files)
    loaders.append(defaults)
    # "default/NAME" is always the package's template, so that an override can extend the one it replaces:
    # {% extends "default/landing.html" %} and change one block.
    loaders.append(PrefixLoader({"default": defaults}))
    options: dict[str, Any] = {"bytecode_cache": _Bytecode(cache_dir / "jinja" if cache_dir is not None else None)}
    env = IssueEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=IssueUndefined,
        autoescape=select_autoescape(["html", "htm", "xml", "svg"]) if autoescape is None else autoescape,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.template_files = files
    env.kind = kind
    env.globals.pop("range", None)  # the sandbox limits it anyway; templates have no need of it
    env.globals["range"] = _small_range
    return env


class _Bytecode(BytecodeCache):
    """Compiled templates, the package's and the issue's, in build/.cache: nothing is written outside the issue
    folder, not even beside the installed package (so a first build in a new folder compiles the package's
    templates, about 0.3 s). The folder may be unwritable; a template is then compiled each time."""

    def __init__(self, issue_folder: Path | None):
        self._issue = self._store(issue_folder) if issue_folder is not None else None
        self._where: dict[str, BytecodeCache | None] = {}

    @staticmethod
    def _store(folder: Path) -> BytecodeCache | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return FileSystemBytecodeCache(str(folder))

    def get_bucket(self, environment, name, filename, source):
        key = self.get_cache_key(name, filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        store = self._issue
        self._where[key] = store
        if store is not None:
            store.load_bytecode(bucket)
        return bucket

    def set_bucket(self, bucket: Bucket) -> None:
        store = self._where.get(bucket.key)
        if store is not None:
            try:
                store.dump_bytecode(bucket)
            except OSError:
                pass  # a cache that cannot be written only costs time

    def load_bytecode(self, bucket: Bucket) -> None:  # the stores above do the work
        pass

    def dump_bytecode(self, bucket: Bucket) -> None:
        pass


def _small_range(*args: int) -> range:
    r = range(*args)
    if len(r) > 100_000:
        raise SecurityError("range too large")
    return r


def is_overridden(env: IssueEnvironment, name: str) -> bool:
    """Whether the issue's templates/ folder provides `name` (else the package default is used)."""
    env.get_template(name)
    return any(display.startswith(USER_FOLDER + "/") and display.endswith("/" + name)
               for display in env.template_files.values())


def render(env: IssueEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render template `name`; raises TemplateProblem with a T101 diagnostic."""
    try:
        return env.get_template(name).render(context)
    except (TemplateError, SecurityError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError,
            RecursionError) as exc:
        raise TemplateProblem(template_diagnostic(env, exc, name, context)) from None


def render_string(env: IssueEnvironment, source: str, context: dict[str, Any], where: Location,
                  code: str = R.TEMPLATE_IN_MANUSCRIPT.code) -> str:
    """Render a template expression found in a manuscript; errors are located at the manuscript."""
    try:
        return env.from_string(source).render(context)
    except (TemplateError, SecurityError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError,
            RecursionError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise TemplateProblem(make(code, f"in the expression {source.strip()}: {message}", where,
                                   excerpt=source.strip(), suggestion=_suggestion(exc, context))) from None


_NAME_RE = re.compile(r"'([^']+)' is undefined")


def _suggestion(exc: BaseException, context: dict[str, Any]) -> str | None:
    m = _NAME_RE.search(str(exc))
    if m:
        close = difflib.get_close_matches(m.group(1), list(context), n=1)
        if close:
            return f"did you mean '{close[0]}'?"
        return "variables every template receives: " + ", ".join(sorted(k for k in context if not k.startswith("_")))
    if isinstance(exc, SecurityError):
        return "templates run in a sandbox: they can read the issue model, not files or Python internals"
    if isinstance(exc, TemplateNotFound):
        return "put the template in the issue's templates/ folder, or use a default's name"
    return None


def template_diagnostic(env: IssueEnvironment, exc: BaseException, name: str, context: dict[str, Any] | None = None) -> Diagnostic:
    """A T101 diagnostic for a failed template: file, line and what went wrong."""
    display, line = _where(env, exc, name)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, TemplateNotFound):
        message = f"template '{exc.name}' not found" + (f" ({exc.message})" if exc.message and exc.message != exc.name else "")
    kind = {TemplateSyntaxError: "syntax error", UndefinedError: "undefined", SecurityError: "forbidden by the sandbox"}
    label = next((v for k, v in kind.items() if isinstance(exc, k)), "error")
    excerpt = _source_line(env, display, line)
    return make(R.TEMPLATE_ERROR.code, f"template {label}: {message}",
                Location(display, line=line, column=1 if line else None),
                excerpt=excerpt.strip() if excerpt else None, context=excerpt,
                suggestion=_suggestion(exc, context or {}))


def _where(env: IssueEnvironment, exc: BaseException, name: str) -> tuple[str, int | None]:
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return env.template_files.get(exc.filename, exc.name or name), exc.lineno
    # Jinja rewrites tracebacks so that template frames carry the template's file name and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in env.template_files:
            return env.template_files[frame.filename], frame.lineno
    for filename, display in env.template_files.items():
        if display.endswith("/" + name):
            return display, getattr(exc, "lineno", None)
    return name, getattr(exc, "lineno", None)


def _source_line(env: IssueEnvironment, display: str, line: int | None) -> str | None:
    if not line:
        return None
    for filename, shown in env.template_files.items():
        if shown == display:
            try:
                lines = Path(filename).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return None
            return lines[line - 1] if 0 < line <= len(lines) else None
    return None
