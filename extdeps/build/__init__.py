"""What the PEP 517 wrappers in ``extdeps.backends`` call: the hooks, the check
before a build, and the rewriting of wheels and sdists."""
