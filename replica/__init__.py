"""A local stand-in of the eight Prakerja platforms' public pages."""
