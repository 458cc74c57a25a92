"""Django settings for the web tests: production settings (kaohe.web.settings) with the test
database and a fast password hasher. KAOHE_TEST_DB=postgres runs them on PostgreSQL
(KAOHE_TEST_PG_NAME, _USER, _PASSWORD, _HOST, _PORT; default database test on 127.0.0.1:5432,
user postgres; Django creates and drops test_<name>)."""

import os

from kaohe.web.settings import *  # noqa: F403

if os.environ.get("KAOHE_TEST_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("KAOHE_TEST_PG_NAME", "test"),
            "USER": os.environ.get("KAOHE_TEST_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("KAOHE_TEST_PG_PASSWORD", ""),
            "HOST": os.environ.get("KAOHE_TEST_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("KAOHE_TEST_PG_PORT", "5432"),
        }
    }

# demo accounts are created for every test: a fast hasher keeps the suite quick (production
# keeps Django's PBKDF2 default)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
