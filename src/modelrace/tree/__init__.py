"""The model tree: each model's root(s) through its declared base models, and each root's ecosystem.

Owns the resolution rules (docs/model-tree.md) as pure, vectorised functions and their tables in the warehouse.
Imports ``store`` only; never ``hub``, the analyses or ``cli``.
"""

from modelrace.tree._chain import ChainLink, chain_to_root, cycle_warning, cycles
from modelrace.tree._resolve import TreeStats, resolve_tree
from modelrace.tree._roots import resolve_roots, sorted_unique

__all__ = [
    "ChainLink",
    "TreeStats",
    "chain_to_root",
    "cycle_warning",
    "cycles",
    "resolve_roots",
    "resolve_tree",
    "sorted_unique",
]
