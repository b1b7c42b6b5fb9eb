"""``python -m deploy``: the same as the ``cur-deploy`` command."""

from __future__ import annotations

from deploy.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
