"""The ``extdeps`` command line: :func:`extdeps.cli.main.main` parses arguments,
calls the library and formats the results; one module per command group."""
