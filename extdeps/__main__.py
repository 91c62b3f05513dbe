"""``python -m extdeps``."""

from __future__ import annotations

from extdeps.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
