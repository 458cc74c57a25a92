"""Delete security events (logins, failures, lockouts, unlocks, logouts, password changes) older
than the retention period from the audit log.

    kaohe manage kaohe_prune_audit              # keep KAOHE_AUDIT_KEEP_DAYS (default 180) days
    kaohe manage kaohe_prune_audit --days 365   # keep a year
    kaohe manage kaohe_prune_audit --dry-run    # only count

等保 2.0 asks for at least six months of audit records: the command refuses fewer than 180 days,
so it never removes a record younger than that. Records of data changes (figures, materials,
periods) are part of each period's history and are never pruned."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...models import AuditLog
from ...services import security_log

MINIMUM_DAYS = 180


class Command(BaseCommand):
    help = "删除保留期以前的安全事件审计记录（登录、登录失败、锁定、解锁、退出、修改密码）；保留期不少于 180 天。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保留天数，默认取 KAOHE_AUDIT_KEEP_DAYS（{settings.KAOHE_AUDIT_KEEP_DAYS}），不少于 {MINIMUM_DAYS}。",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除。")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.KAOHE_AUDIT_KEEP_DAYS if days is None else days
        if days < MINIMUM_DAYS:
            raise CommandError(
                f"--days 不能少于 {MINIMUM_DAYS} 天（等保 2.0 要求审计记录至少保留 6 个月），实为 {days}"
            )
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditLog.objects.filter(action__in=security_log.KINDS, at__lt=cutoff)
        if dry_run:
            self.stdout.write(
                f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} 以前的安全事件共 {old.count()} 条（未删除）。"
            )
            return
        deleted, _ = old.delete()
        self.stdout.write(
            f"已删除 {timezone.localtime(cutoff):%Y-%m-%d %H:%M} 以前的安全事件 {deleted} 条。"
        )
