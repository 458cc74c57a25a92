"""Django admin: schemes, groups, units, indicators, periods and memberships are editable here.
Changes to indicators, periods and memberships are written to the audit log."""

from django.contrib import admin
from django.forms.models import model_to_dict

from . import models
from .services import audit


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


class UnitInline(admin.TabularInline):
    model = models.Unit
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0
    fields = ("order", "key", "name", "unit", "max_points", "category", "method", "material_kind")


@admin.register(models.Scheme)
class SchemeAdmin(AuditedAdmin):
    list_display = ("key", "name", "region", "issuer")


@admin.register(models.UnitGroup)
class UnitGroupAdmin(AuditedAdmin):
    list_display = ("name", "scheme", "key", "order")
    inlines = [UnitInline, IndicatorInline]


@admin.register(models.Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "group", "short", "order")
    list_filter = ("group",)


@admin.register(models.Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("name", "group", "unit", "max_points", "category", "method", "material_kind")
    list_filter = ("group", "category")


@admin.register(models.KeyTask)
class KeyTaskAdmin(AuditedAdmin):
    list_display = ("number", "title", "scheme")
    filter_horizontal = ("lead_units",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: period states and figures change only through the services,
    which check the period's state and the user's role and keep the audit log."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme", "state", "deadline", "late_until", "objection_days")
    exclude = ("version",)


@admin.register(models.Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("period", "unit", "indicator", "target", "actual", "note", "late", "source")
    list_filter = ("period",)


@admin.register(models.Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "unit", "organisation", "can_admin", "can_report", "can_read_all")
    filter_horizontal = ("can_provide",)


@admin.register(models.LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "failures", "locked_until", "last_failure")


@admin.register(models.AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
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
    )
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
