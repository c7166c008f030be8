"""The staff roles of DESIGN.md as Django groups, with the permissions each one holds today.

Later features add permissions to these groups in their own migrations; nobody is given a role
by a migration, and no account is created by one.
"""

ROLES: dict[str, list[str]] = {
    "Intake officer": ["complaints.view_violationcategory"],
    "Rapporteur": [
        "complaints.view_complaint",
        "complaints.view_evidence_file",
        "complaints.triage_complaint",
        "complaints.examine_complaint",
        "complaints.view_violationcategory",
    ],
    "Committee chair": [
        "complaints.view_complaint",
        "complaints.view_evidence_file",
        "complaints.triage_complaint",
        "complaints.examine_complaint",
        "complaints.decide_complaint",
        "complaints.record_withdrawal",
        "complaints.view_violationcategory",
        "complaints.change_violationcategory",
    ],
    "Appeal registrar": ["complaints.view_violationcategory"],
    "Appeal judge": ["complaints.decide_appeal"],
    "Data officer": ["complaints.view_complaint", "complaints.view_violationcategory"],
    "Administrator": [
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}
