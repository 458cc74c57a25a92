"""Django's createsuperuser, with the password policy also for --noinput.

Interactively Django already checks the password validators; with --noinput it takes
DJANGO_SUPERUSER_PASSWORD as given. Here that password is checked first."""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            username = options.get(self.UserModel.USERNAME_FIELD) or os.environ.get(
                "DJANGO_SUPERUSER_" + self.UserModel.USERNAME_FIELD.upper()
            )
            try:
                validate_password(password, self.UserModel(username=username or ""))
            except ValidationError as exc:
                raise CommandError(
                    "环境变量 DJANGO_SUPERUSER_PASSWORD 不符合密码策略：" + " ".join(exc.messages)
                ) from None
        return super().handle(*args, **options)
