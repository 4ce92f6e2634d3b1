"""In-text citations: extraction (prose.py: the author-date grammar; markup.py: [@key] and \\cite), resolution
against the shared bibliography (resolve.py), the C2xx rules (rules.py), the analysis of `issue check`
(analysis.py: records are Citation objects, model.py) and `issue refs cited` (commands.py)."""
