"""Django admin: memberships are editable here, and their changes are written to the audit log.
Schemes, their groups, units, indicators and key tasks are only shown: they are written in the
web's 方案管理, where every change is checked as `kaohe check-scheme` checks it, and a version
in use is never changed."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from . import models
from .services import audit, security_log


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        old = {}
        if change and obj.pk:
            old = model_to_dict(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        new = model_to_dict(obj)
        for name in form.changed_data:
            if name in new and not isinstance(new.get(name), list):
                audit.record(
                    request.user,
                    f"后台修改{obj._meta.verbose_name}",
                    field=name,
                    old=old.get(name),
                    new=new.get(name),
                    detail=str(obj),
                    period=obj if isinstance(obj, models.Period) else None,
                    indicator=obj if isinstance(obj, models.Indicator) else None,
                    unit=obj if isinstance(obj, models.Unit) else None,
                )

    def delete_model(self, request, obj):
        audit.record(request.user, f"后台删除{obj._meta.verbose_name}", detail=str(obj))
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept by the system, period states and figures: seen here, never changed here.
    They change only through the services, which check the period's state and the user's role
    and keep the audit log."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitInline(ReadOnlyInline):
    model = models.Unit


class IndicatorInline(ReadOnlyInline):
    model = models.Indicator
    fields = ("order", "key", "name", "unit", "max_points", "category", "method", "material_kind")


@admin.register(models.Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    """Read only: schemes are written in 方案管理 (/schemes/)."""

    list_display = ("key", "name", "status", "region", "issuer")


@admin.register(models.UnitGroup)
class UnitGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme", "key", "order")
    inlines = [UnitInline, IndicatorInline]


@admin.register(models.Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "group", "short", "order")
    list_filter = ("group__scheme", "group")


@admin.register(models.Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "group", "unit", "max_points", "category", "method", "material_kind")
    list_filter = ("group__scheme", "group", "category")


@admin.register(models.KeyTask)
class KeyTaskAdmin(ReadOnlyAdmin):
    """Read only: key tasks are written in 方案管理, on a draft version."""

    list_display = ("number", "title", "scheme")
    filter_horizontal = ("lead_units",)


@admin.register(models.Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme", "state", "deadline", "late_until", "objection_days")


@admin.register(models.Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("period", "unit", "indicator", "target", "actual", "note", "late", "source")
    list_filter = ("period",)


@admin.register(models.Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "unit", "organisation", "can_admin", "can_report", "can_read_all")
    filter_horizontal = ("can_provide",)


@admin.register(models.LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    """Read only: locks are lifted on the site's 登录锁定 page, which writes the audit log."""

    list_display = ("username", "failures", "locked_until", "last_failure")


class AuditedUserAdmin(UserAdmin):
    """Django's user admin (its forms check the password policy); a password set here is on
    record in the audit log like one changed on the site."""

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            security_log.record(
                request,
                security_log.PASSWORD_CHANGE,
                user=request.user,
                detail=f"管理后台为用户 {user.username} 设置密码",
            )
        return response

    def log_addition(self, request, obj, message):
        security_log.record(
            request,
            security_log.PASSWORD_CHANGE,
            user=request.user,
            detail=f"管理后台新建用户 {obj.username} 并设置密码",
        )
        return super().log_addition(request, obj, message)


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)


@admin.register(models.AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "username",
        "action",
        "period",
        "unit",
        "indicator",
        "field",
        "old",
        "new",
        "address",
    )
    list_filter = ("action",)


# Records of collection and of the bulletin: read here, changed on the site's own pages (which
# check the period's state and keep the audit log).
@admin.register(models.PendingDeclaration)
class PendingDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("period", "indicator", "reason", "declared_by", "declared_at")
    list_filter = ("period",)


@admin.register(models.Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "user", "unit", "period", "text", "read_at")
    list_filter = ("kind", "period")


@admin.register(models.Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "period", "unit", "sent_by")
    list_filter = ("period",)


@admin.register(models.BulletinSettings)
class BulletinSettingsAdmin(ReadOnlyAdmin):
    list_display = ("period", "title", "doc_date", "theme", "updated_by", "updated_at")
