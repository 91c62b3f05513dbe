"""Shipped data and the caches on disk: the registry, the ecosystem mappings,
the probe definitions, and where each file lives.

Imports only :mod:`extdeps.model`.
"""
