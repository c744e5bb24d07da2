"""One spider per platform; module name, ``name`` and fixture folder = slug."""
