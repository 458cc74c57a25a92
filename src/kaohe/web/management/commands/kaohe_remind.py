"""Scheduled 催报: run hourly (or daily) by cron or a systemd timer (docs/web.md). Each open
period gets one reminder per unit that has not submitted, KAOHE_REMIND_DAYS (3 and 1) days
before its deadline; units that have submitted get none, and a rerun sends nothing twice."""

from django.core.management.base import BaseCommand

from ...services.reminders import send_scheduled, smtp_configured


class Command(BaseCommand):
    help = "截止前 3 天、1 天自动催报未报送的单位（站内通知；配置了 SMTP 时同时发邮件）"

    def handle(self, *args, **options):
        results = send_scheduled()
        if not results:
            self.stdout.write("现在没有需要催报的考核期")
        for period, sent in results.items():
            line = f"{period.name}：催报 {sent.units} 个单位"
            if smtp_configured():
                line += f"，发出邮件 {sent.emails} 封"
            if sent.skipped:
                line += f"，{sent.skipped} 个单位此前已提醒"
            self.stdout.write(line)
            for failure in sent.failures:
                self.stderr.write(failure)
