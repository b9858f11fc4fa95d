"""The model tree: each model's root(s) through its declared base models, and each root's ecosystem."""

from modelrace.tree._chain import ChainLink, chain_to_root
from modelrace.tree._resolve import TreeStats, resolve_roots, resolve_tree, sorted_unique

__all__ = ["ChainLink", "TreeStats", "chain_to_root", "resolve_roots", "resolve_tree", "sorted_unique"]
