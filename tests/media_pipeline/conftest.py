from tests.media import media_settings  # noqa: F401  (autouse: a fresh media folder per test)
