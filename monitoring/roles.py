"""The staff roles of DESIGN.md as Django groups, with the permissions each one holds today.

Later features add permissions to these groups in their own migrations; nobody is given a role
by a migration, and no account is created by one.
"""

# What everyone who works on complaints at first instance holds.
CASE_WORK = [
    "complaints.view_victim",
    "complaints.view_evidence",
    "complaints.view_message",
    "complaints.view_statuschange",
    "complaints.view_complaint",
    "complaints.view_case_content",
    "complaints.view_evidence_file",
    "complaints.triage_complaint",
    "complaints.examine_complaint",
    "complaints.add_message",
    "monitoring.view_note",
    "monitoring.add_note",
    "monitoring.add_conflictdeclaration",
]

# A role holding any of these reaches case content, identities or decisions, or lets its holder
# confirm such a role for someone else; giving it takes two people (monitoring/staff_changes.py).
SENSITIVE_PERMISSIONS = [
    "complaints.view_case_content",
    # An intake officer reads out the receipts of the complaints they record, and a receipt
    # opens its case on the tracking page.
    "complaints.record_on_behalf",
    "monitoring.view_every_case",
    "complaints.reveal_identity",
    "complaints.view_evidence_file",
    "complaints.decide_complaint",
    "complaints.decide_appeal",
    "monitoring.confirm_staff_change",
    # The facts, and identities, of every case the exporter sees, in one file.
    "monitoring.export_narrative",
    "monitoring.export_identity",
]

ROLES: dict[str, list[str]] = {
    "Intake officer": [
        "complaints.record_on_behalf",
        "complaints.view_violationcategory",
        "complaints.lodge_appeal_on_behalf",
    ],
    "Rapporteur": [
        *CASE_WORK,
        # Only on the cases given to them (monitoring.cases.access.may_reveal), recorded.
        "complaints.reveal_identity",
        "complaints.view_violationcategory",
    ],
    "Committee chair": [
        *CASE_WORK,
        "complaints.decide_complaint",
        "complaints.record_withdrawal",
        "monitoring.assign_rapporteur",
        "monitoring.view_every_case",
        "monitoring.view_assignment",
        "monitoring.view_conflictdeclaration",
        "complaints.reveal_identity",
        "monitoring.view_accessevent",
        "complaints.view_violationcategory",
        "complaints.change_violationcategory",
        "monitoring.view_staffchange",
        "monitoring.confirm_staff_change",
        "monitoring.export_case_list",
        "monitoring.export_narrative",
        "monitoring.export_identity",
        "monitoring.view_statistics",
        "monitoring.view_exportrecord",
    ],
    "Appeal registrar": [
        "complaints.view_violationcategory",
        # The roster, the draws and the seats; never a file or a deliberation
        # (monitoring.appeals.access). Seating opens a file only to a judge, whose role is
        # itself sensitive, so the registrar's is not.
        "monitoring.form_panel",
        "monitoring.view_judgeprofile",
        "monitoring.add_judgeprofile",
        "monitoring.change_judgeprofile",
        "monitoring.view_paneldraw",
        "complaints.view_appeal",
        "complaints.lodge_appeal_on_behalf",
    ],
    "Appeal judge": [
        "complaints.decide_appeal",
        "monitoring.view_judgeprofile",
        # Only on the appeals of panels they sit on and have declared for
        # (monitoring.appeals.access), the reveal recorded.
        "complaints.view_appeal",
        "complaints.reveal_identity",
        "complaints.view_evidence_file",
    ],
    "Data officer": [
        "complaints.view_complaint",
        "complaints.view_violationcategory",
        "monitoring.export_case_list",
        "monitoring.view_statistics",
    ],
    "Administrator": [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # A lost phone: delete the device, reset the password; the next sign-in enrols anew.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        # Their own proposals and what became of them.
        "monitoring.view_staffchange",
        # Who the co-presidents of the Appeal Body are (the registry they oversee may not).
        "monitoring.view_judgeprofile",
        "monitoring.change_judgeprofile",
        "monitoring.designate_co_president",
    ],
}


def roles_grant(apps: object, grants: dict[str, list[str]]) -> None:
    """Create the groups if needed and add permissions; for data migrations (historical apps).

    Each migration passes the grants of its own time, so that replaying migrations on a fresh
    database never asks for a permission that does not exist yet.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; these roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, permissions in grants.items():
        group, _created = group_model.objects.get_or_create(name=name)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
