"""Moved to ``templates.contract.graph``; kept only until the deployer reads the contract (same commit series)."""

from templates.contract.graph import StackGraph, build_graph, exports_of, imports_of, resolve_name

__all__ = ["StackGraph", "build_graph", "exports_of", "imports_of", "resolve_name"]
