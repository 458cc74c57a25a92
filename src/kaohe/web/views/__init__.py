"""Views, one module per topic like services/: each view checks permission (access.py), validates
(forms.py), calls a service and responds. urls.py names them through this package."""

from .account import LoginView, healthz, home
from .annual import year_csv, year_unit, year_view, year_xlsx
from .board import board_export, period_template, rates
from .bulletin import bulletin, bulletin_settings
from .entries import entry, entry_template, provide, provide_template
from .materials import (
    material_delete,
    material_download,
    material_kind,
    material_replace,
    materials,
)
from .notices import inbox, notice_read
from .objections import objections
from .periods import (
    board,
    deadline,
    pending,
    period_action,
    period_detail,
    period_edit,
    period_new,
    review,
)
from .reminders import remind
from .results import (
    correct,
    results,
    results_csv,
    results_json,
    results_xlsx,
    unit_result,
    unit_whatif,
)
from .submission import entry_submit
from .tasks import narrative, tasks
from .uploads import entry_upload, provide_upload, targets_import

__all__ = [
    "period_template",
    "rates",
    "board_export",
    "remind",
    "notice_read",
    "inbox",
    "entry_submit",
    "LoginView",
    "board",
    "bulletin",
    "bulletin_settings",
    "correct",
    "unit_whatif",
    "entry",
    "entry_template",
    "entry_upload",
    "healthz",
    "home",
    "material_delete",
    "material_download",
    "material_kind",
    "material_replace",
    "materials",
    "narrative",
    "pending",
    "deadline",
    "objections",
    "period_action",
    "period_detail",
    "period_edit",
    "period_new",
    "provide",
    "provide_template",
    "provide_upload",
    "results",
    "results_xlsx",
    "results_csv",
    "results_json",
    "review",
    "targets_import",
    "tasks",
    "unit_result",
    "year_view",
    "year_unit",
    "year_xlsx",
    "year_csv",
]
