"""The cuda-runtime example of extdeps: its metadata is the point, not its code."""
