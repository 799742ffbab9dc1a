"""Shared fixtures, as plugins in tests/fixtures (the tests are a package: run from the
repository root, `tests` and `bench` import by name, with no sys.path edits)."""

pytest_plugins = ["tests.fixtures.clips", "tests.fixtures.web"]
