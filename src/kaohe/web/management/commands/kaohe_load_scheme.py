from django.core.management.base import BaseCommand, CommandError

from ....errors import KaoheError
from ...services.schemes import load_scheme_file


class Command(BaseCommand):
    help = "把方案文件（内置方案名或 TOML 路径）载入数据库；已存在则更新"

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="内置方案名（如 daye-2023）或 TOML 文件路径")

    def handle(self, *args, **options):
        try:
            scheme = load_scheme_file(options["scheme"])
        except KaoheError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已载入方案 {scheme.key}：{scheme.name}（{scheme.groups.count()} 个单位分组）"
        )
