"""Django settings for the kaohe web system. Everything configurable comes from the environment
through the small typed helpers below; a bad value stops the process with a Chinese message."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on", "是"}
_FALSE = {"0", "false", "no", "off", "否", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"必须设置环境变量 {name}")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"环境变量 {name} 应为 1 或 0（也可写 true/false、yes/no、是/否），实为 {value!r}"
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实为 {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"环境变量 {name} 不能小于 {minimum}，实为 {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_database_url(url: str, data_dir: Path) -> dict:
    """sqlite:///path, sqlite:// (default file), postgres://user:pass@host:port/name?opt=…"""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parsed.netloc + parsed.path)
        if path in ("", "/"):
            path = str(data_dir / "kaohe.sqlite3")
        elif path.startswith("//"):
            path = path[1:]  # sqlite:////abs/path.sqlite3
        elif path.startswith("/"):
            path = path[1:]  # sqlite:///relative/path.sqlite3
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "timeout": 20,
                # WAL lets readers run beside the one writer; IMMEDIATE avoids lock-upgrade deadlocks
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                "DATABASE_URL 缺少数据库名，例如 postgres://user:pass@127.0.0.1:5432/kaohe"
            )
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 60)),
            "OPTIONS": options,
        }
        return config
    raise ImproperlyConfigured(f"DATABASE_URL 只支持 sqlite:// 和 postgres://，实为 {url!r}")


DEBUG = env_bool("KAOHE_DEBUG", False)
DATA_DIR = Path(env_str("KAOHE_DATA_DIR", str(Path.cwd() / "kaohe-data"))).resolve()


def _secret_key() -> str:
    key = os.environ.get("KAOHE_SECRET_KEY")
    if key:
        if not DEBUG and len(key) < 50:
            raise ImproperlyConfigured(
                f"环境变量 KAOHE_SECRET_KEY 太短：需要至少 50 个随机字符，现为 {len(key)} 个"
            )
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "生产环境必须设置环境变量 KAOHE_SECRET_KEY（至少 50 个随机字符）；开发或演示请设置 KAOHE_DEBUG=1"
        )
    # development / demo only: a key generated once into the data folder, never committed
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key.txt"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("KAOHE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("生产环境必须设置 KAOHE_ALLOWED_HOSTS（逗号分隔的域名或 IP）")
CSRF_TRUSTED_ORIGINS = env_list("KAOHE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # first, so that its createsuperuser (which checks the password policy also with --noinput)
    # takes the place of Django's
    "kaohe.web.apps.WebConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kaohe.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kaohe.web.security.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kaohe.web.urls"
WSGI_APPLICATION = "kaohe.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kaohe.web.access.context",
                "kaohe.web.views.notices.badge",
            ],
        },
    }
]

DATABASES = {"default": parse_database_url(env_str("DATABASE_URL", "sqlite://"), DATA_DIR)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "kaohe.web.security.MixedCharactersValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 等保 2.0：登录失败锁定、会话空闲超时
KAOHE_LOGIN_MAX_FAILURES = env_int("KAOHE_LOGIN_MAX_FAILURES", 5, 1)
KAOHE_LOGIN_LOCK_MINUTES = env_int("KAOHE_LOGIN_LOCK_MINUTES", 30, 1)
# …and per source address, across all accounts (one address cannot try or lock every account)
KAOHE_LOGIN_MAX_ADDRESS_FAILURES = env_int("KAOHE_LOGIN_MAX_ADDRESS_FAILURES", 10, 1)
# 审计日志中的安全事件至少保留 180 天（kaohe manage kaohe_prune_audit 只删除更早的记录）
KAOHE_AUDIT_KEEP_DAYS = env_int("KAOHE_AUDIT_KEEP_DAYS", 180, 180)
# behind a reverse proxy the client's address is the last X-Forwarded-For entry
KAOHE_BEHIND_PROXY = env_bool("KAOHE_BEHIND_PROXY", False)
SESSION_COOKIE_AGE = env_int("KAOHE_SESSION_IDLE_SECONDS", 1800, 60)
# Activity renews the session's expiry (IdleSessionMiddleware), written at most once every tenth
# of the idle time rather than on every request: a session ends between 90% and 100% of
# KAOHE_SESSION_IDLE_SECONDS after the last request.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kaohe.web.views.security.csrf_failure"

# 上传大小上限（MB）：填报表和材料文件
KAOHE_MAX_UPLOAD_MB = env_int("KAOHE_MAX_UPLOAD_MB", 20, 1)
KAOHE_MAX_UPLOAD_BYTES = KAOHE_MAX_UPLOAD_MB * 1_000_000  # MB as file managers count them
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# 异议期（天）：发布后可提出异议的天数（可在管理后台按考核期调整）
KAOHE_OBJECTION_DAYS = env_int("KAOHE_OBJECTION_DAYS", 5, 0)

# 催报邮件（可选）：KAOHE_SMTP_HOST 为空则只发站内通知，不发邮件
KAOHE_SMTP_HOST = env_str("KAOHE_SMTP_HOST", "")
KAOHE_SMTP_PORT = env_int("KAOHE_SMTP_PORT", 25, 1)
KAOHE_SMTP_USER = env_str("KAOHE_SMTP_USER", "")
KAOHE_SMTP_PASSWORD = env_str("KAOHE_SMTP_PASSWORD", "")
KAOHE_SMTP_STARTTLS = env_bool("KAOHE_SMTP_STARTTLS", False)
KAOHE_SMTP_SSL = env_bool("KAOHE_SMTP_SSL", False)
KAOHE_MAIL_FROM = env_str("KAOHE_MAIL_FROM", "kaohe@localhost")
# 定时催报：截止前这些天数各提醒一次（kaohe_remind 命令，由 cron 或 systemd 定时器运行）
KAOHE_REMIND_DAYS = [int(d) for d in env_list("KAOHE_REMIND_DAYS", ["3", "1"])]
# a unit reminded by hand is not reminded by hand again within this many minutes (a double
# click, or two staff at once, must not send the same e-mail twice)
KAOHE_REMIND_GAP_MINUTES = int(os.environ.get("KAOHE_REMIND_GAP_MINUTES", "30"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"  # uploaded materials; served only through permission-checked views
# Serve /static/ from the application itself (no separate web server needed on a small intranet).
KAOHE_SERVE_STATIC = env_bool("KAOHE_SERVE_STATIC", True)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("KAOHE_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("KAOHE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KAOHE_HSTS_SECONDS", 31536000, 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if KAOHE_BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
