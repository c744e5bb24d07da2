"""One spider per platform; the module name, ``name`` and fixture folder are the slug."""
