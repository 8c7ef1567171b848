"""Tests of the HTTP service (issue 5), on SQLite and on PostgreSQL."""
