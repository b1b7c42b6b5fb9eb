"""``python -m bootstrap``: the same as the ``cur-bootstrap`` command."""

from __future__ import annotations

from bootstrap.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
