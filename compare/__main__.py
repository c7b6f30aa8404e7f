"""`python -m compare`."""

from .cli import main

raise SystemExit(main())
