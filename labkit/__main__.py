"""``python -m labkit`` is the ``labkit`` command."""
from labkit.course.cli import main

raise SystemExit(main())
