"""The roles of the people who work in Raschet, as Django groups of permissions (issue 15 item 7).

Each role is a set of the money permissions of :mod:`raschet.access`, the permissions other apps
register (``claims.manage_debt_cases``…) and Django's model permissions (``housing.change_account``…).
:func:`ensure_roles` makes the groups hold at least these (a permission an administrator added to a
group stays): the data migration creates the groups, ``post_migrate`` tops them up when a later app
brings new permissions. Users are put into groups in the admin (``/admin/auth/user/``).
"""

from __future__ import annotations

OPERATOR = "Оператор"
CASHIER = "Кассир"
ACCOUNTANT = "Бухгалтер"
DEBT_OFFICER = "Специалист по работе с должниками"
ADMINISTRATOR = "Администратор"
CONTROLLER = "Контролёр"

LOOK_UP = ["housing.view_building", "housing.view_premises", "housing.view_account", "housing.view_person",
           "housing.view_registration", "metering.view_meter", "metering.view_reading", "payments.view_payment"]
EDIT_CHARACTERISTICS = [
    f"housing.{verb}_{model}" for verb in ("add", "change")
    for model in ("account", "premises", "premisesarea", "person", "registration", "residentcount", "absence",
                  "parameter")
] + [f"metering.{verb}_{model}" for verb in ("add", "change") for model in ("meter", "reading")]
REFERENCE_DATA = [f"tariffs.{verb}_{model}" for verb in ("view", "add", "change")
                  for model in ("service", "tariff", "norm", "calcrule", "accountservice", "keyrate", "organization")]

ROLES: dict[str, list[str]] = {
    OPERATOR: [*LOOK_UP, *EDIT_CHARACTERISTICS, "access.view_reports"],
    CASHIER: [*LOOK_UP, "access.take_payment"],
    ACCOUNTANT: [*LOOK_UP, *REFERENCE_DATA, "access.import_registry", "access.assign_suspense",
                 "access.reverse_payment", "access.move_payment", "access.calculate_period", "access.post_period",
                 "access.close_period", "access.simulate", "access.view_reports", "documents.issue_documents",
                 "documents.send_documents", "claims.accrue_penalties", "payments.view_paymentregistry",
                 "billing.view_calcrun", "billing.view_job"],
    DEBT_OFFICER: [*LOOK_UP, "claims.manage_debt_cases", "claims.view_debtcase", "claims.add_debtcase",
                   "claims.change_debtcase", "access.view_reports"],
    CONTROLLER: ["housing.view_building", "housing.view_premises", "housing.view_account", "metering.view_meter",
                 "metering.view_reading", "metering.add_reading"],
}
EVERYTHING = ADMINISTRATOR  # the administrator's group holds every permission there is


def ensure_roles(apps=None) -> None:
    """Create the role groups and give each its permissions (those that exist; missing ones are
    left for when their app is installed). ``apps``: the migration's historical registry."""
    if apps is None:
        from django.apps import apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    known = {f"{app}.{codename}": pk for pk, app, codename in
             permission_model.objects.values_list("pk", "content_type__app_label", "codename")}
    for name, wanted in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*[known[p] for p in wanted if p in known])
    everything, _ = group_model.objects.get_or_create(name=EVERYTHING)
    everything.permissions.add(*known.values())


def after_migrate(sender, **kwargs) -> None:
    """``post_migrate`` (also after a test database is flushed): top up the groups once every app's
    permissions are created, i.e. when the signal comes for the last installed app with models."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is with_models[-1]:  # the signal is sent only for apps with models
        ensure_roles()
