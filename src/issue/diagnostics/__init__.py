"""Diagnostics: the one Diagnostic type, the registry of rules, and the reporters."""
from .core import Diagnostic, Severity, Findings
from .registry import Rule, rule, get_rule, all_rules

__all__ = ["Diagnostic", "Severity", "Findings", "Rule", "rule", "get_rule", "all_rules"]
