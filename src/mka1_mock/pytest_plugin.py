"""pytest plugin (registered through the ``pytest11`` entry point). Fixtures arrive with issue 3."""
