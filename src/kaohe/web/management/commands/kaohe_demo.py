from django.core.management.base import BaseCommand

from ...services.demo import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示数据：2023 年一季度（来自通报）和每个角色一个账号"

    def handle(self, *args, **options):
        period = load_demo()
        self.stdout.write(f"已载入演示数据：{period.scheme.name}，{period.name}")
        for username, _full, role in ACCOUNTS:
            self.stdout.write(f"  {username:10s} {role}")
        self.stdout.write(f"演示密码（所有账号）：{DEMO_PASSWORD}")
