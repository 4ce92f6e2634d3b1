"""Cross-references between the contributions of the issue: "Jones, this issue" and its variants (X3xx rules).

For the writers: `ctx.results["crossrefs"].records` are CrossRef records (span in a block, target ids, links);
`ctx.results["crossrefs"].extra` is the map {source id: {target id: count}}; `page_reference(contribution)` gives
"Jones, this issue, 89–107"; `map.map_svg` / `map.map_table` draw the map.
"""
from .model import CrossRef, Link, page_reference, short_authors

__all__ = ["CrossRef", "Link", "page_reference", "short_authors"]
