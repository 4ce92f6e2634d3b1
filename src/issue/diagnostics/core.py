"""The Diagnostic record and the collection that applies the issue's [check] configuration."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

from ..model import Location


SEVERITY_VALUES = ("error", "warning", "info")
MAX_MESSAGE = 400
MAX_EXCERPT = 300


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    excerpt: str | None = None  # the offending text
    suggestion: str | None = None  # how to fix it, when we know
    context: str | None = None  # the source line (or paragraph) the excerpt stands in
    context_start: int | None = None  # 0-based offset of the excerpt inside context
    data: dict[str, Any] = field(default_factory=dict)  # rule-specific extras for JSON

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.paragraph or 0, loc.line or 0, loc.column or 0, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            **self.location.to_json(),
        }
        for key in ("excerpt", "suggestion"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.data:
            out["data"] = self.data
        return out


def make(code: str, message: str, location: Location, **kwargs: Any) -> Diagnostic:
    """A diagnostic of a registered rule, with the rule's name and default severity."""
    from .registry import get_rule

    r = get_rule(code)
    severity = kwargs.pop("severity", None) or r.severity
    if len(message) > MAX_MESSAGE:  # a message quotes input: a 2 MB field must not become a 2 MB line
        message = message[:MAX_MESSAGE - 1] + "…"
    excerpt = kwargs.get("excerpt")
    if excerpt and len(excerpt) > MAX_EXCERPT:
        kwargs["excerpt"] = excerpt[:MAX_EXCERPT - 1] + "…"
    return Diagnostic(code=r.code, name=r.name, severity=Severity(severity), message=message, location=location, **kwargs)


@dataclass
class Findings:
    """The diagnostics of one run, after [check] overrides, ignores and inline exemptions."""

    items: list[Diagnostic] = field(default_factory=list)

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.items.extend(diags)

    def configured(self, check: dict[str, Any], exemptions: "Exemptions | None" = None) -> "Findings":
        """Apply `[check]`: `ignore = [codes or names]`, `severity = {code-or-name = level}`."""
        from .registry import resolve_code

        ignore = {resolve_code(c) for c in check.get("ignore", []) if isinstance(c, str)}
        severity = check.get("severity", {}) if isinstance(check.get("severity"), dict) else {}
        levels = {resolve_code(k): Severity(v) for k, v in severity.items() if v in SEVERITY_VALUES}
        ignore |= {resolve_code(k) for k, v in severity.items() if v in ("ignore", "off")}
        kept = []
        for d in self.items:
            if d.code in ignore:
                continue
            if exemptions and exemptions.exempts(d):
                continue
            if d.code in levels:
                d.severity = levels[d.code]
            kept.append(d)
        kept.sort(key=Diagnostic.sort_key)
        return Findings(kept)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.items if d.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.items)


class Exemptions:
    """Inline exemptions found in manuscripts: `issue: ignore` (all codes) or `issue: ignore C201 C204`
    on a line (or in a .docx/.odt paragraph or Word comment) silences findings on that line."""

    def __init__(self) -> None:
        # (file, line-or-paragraph kind, number) -> set of codes, empty set meaning all
        self._marks: dict[tuple[str, str, int], set[str]] = {}

    def add(self, file: str, *, line: int | None = None, paragraph: int | None = None, codes: Iterable[str] = ()) -> None:
        key = (file, "p", paragraph) if paragraph is not None else (file, "l", line or 0)
        self._marks.setdefault(key, set()).update(codes)

    def exempts(self, d: Diagnostic) -> bool:
        loc = d.location
        key = (loc.file, "p", loc.paragraph) if loc.paragraph is not None else (loc.file, "l", loc.line or 0)
        if key not in self._marks:
            return False
        codes = self._marks[key]
        return not codes or d.code in codes or d.name in codes
