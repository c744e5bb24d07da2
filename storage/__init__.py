"""SQLite storage: schema migrations and every SQL statement of the project."""
