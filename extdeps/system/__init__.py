"""Everything that looks at or changes the machine: ecosystem detection, package
databases, probes for libraries, headers, executables, compilers and GPU drivers,
and running commands.

Every access goes through :class:`extdeps.system.machine.System`, whose root
directory and environment are injectable.
"""
