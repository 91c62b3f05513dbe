"""Tools for package authors: ``lint``, ``migrate`` and ``scan``."""
