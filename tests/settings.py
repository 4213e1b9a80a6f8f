"""Settings for the test suite: the app's settings with test-only overrides."""

import os

from config.settings import *  # noqa: F403
from config.settings import REDIS_URL, VAR_DIR

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / f"test-media-{os.getpid()}"

# Tasks run in-process unless a test starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Tests check links against this address, whatever WEB_PORT or SITE_URL the shell has set.
SITE_URL = "http://127.0.0.1:8000"

# Tests serve websites and webhooks from 127.0.0.1.
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True

if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

API_KEY_LAST_USED_RESOLUTION_SECONDS = 60

# Hosted providers are tested against mock transports, never the real API.
ANTHROPIC_API_KEY = ""
