"""The standard itself, pure: DepURLs, PEP 440 versions, requirements, the
``[external]`` table, core metadata fields and the error hierarchy.

Nothing here reads a file, runs a program or imports another part of extdeps.
"""
