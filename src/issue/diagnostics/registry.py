"""The one registry of diagnostic rules: code, name, default severity, summary, explanation.

Each domain declares its rules in its own `rules.py` with `rule(...)`; `all_rules()` imports the domains
listed in RULE_MODULES, so `issue explain`, the README table and the tests all read the same registry.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

RULE_MODULES = [
    "issue.project_rules",
    "issue.manuscripts.rules",
    "issue.bibliography.rules",
    "issue.citations.rules",
    "issue.crossrefs.rules",
    "issue.concepts.rules",
    "issue.render.rules",
]

_RULES: dict[str, "Rule"] = {}
_BY_NAME: dict[str, "Rule"] = {}


@dataclass(frozen=True)
class Rule:
    code: str  # e.g. "C201"
    name: str  # kebab-case, e.g. "undefined-citation"
    severity: str  # default: "error", "warning" or "info"
    summary: str  # one line: what it does
    why: str = ""  # why a user cares
    example: str = ""  # the offending text
    instead: str = ""  # what to write instead

    def explanation(self) -> str:
        parts = [f"{self.code} {self.name} ({self.severity})", "", self.summary]
        if self.why:
            parts += ["", "Why: " + self.why]
        if self.example:
            parts += ["", "Example:", "    " + self.example.replace("\n", "\n    ")]
        if self.instead:
            parts += ["", "Use instead:", "    " + self.instead.replace("\n", "\n    ")]
        return "\n".join(parts)


def rule(code: str, name: str, severity: str, summary: str, **doc: str) -> Rule:
    """Declare a rule. Codes and names are unique across the whole tool."""
    r = Rule(code, name, severity, summary, **doc)
    if code in _RULES and _RULES[code] != r:
        raise ValueError(f"diagnostic code {code} declared twice")
    if name in _BY_NAME and _BY_NAME[name].code != code:
        raise ValueError(f"diagnostic name {name} declared twice")
    _RULES[code] = r
    _BY_NAME[name] = r
    return r


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for module in RULE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a domain not present in this build
            if not (exc.name and module.startswith(exc.name)):
                raise
    _loaded = True


def all_rules() -> list[Rule]:
    _load()
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(code_or_name: str) -> Rule:
    _load()
    key = code_or_name.strip()
    r = _RULES.get(key.upper()) or _BY_NAME.get(key.lower())
    if r is None:
        raise KeyError(code_or_name)
    return r


def resolve_code(code_or_name: str) -> str:
    try:
        return get_rule(code_or_name).code
    except KeyError:
        return code_or_name
