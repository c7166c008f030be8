"""The project as a newcomer and an operator meet it: settings, demo data, roles."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from complaints.models import Complaint, ViolationCategory
from monitoring.roles import ROLES

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "RECEIPT_HASH_SECRET", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "allforrwanda.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "RECEIPT_HASH_SECRET"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {"SECRET_KEY": "s" * 50, "RECEIPT_HASH_SECRET": "r" * 50, "DEBUG": "0"}
    del env[missing]

    result = run_settings(**env)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_development_starts_without_secrets():
    assert run_settings(DEBUG="1").returncode == 0


def test_violation_categories_are_loaded_with_stable_codes_and_four_languages(db):
    categories = ViolationCategory.objects.all()

    assert categories.count() >= 40
    assert categories.filter(code="OTHER").exists()
    assert not categories.filter(label_fr="").exists()
    assert not categories.filter(label_rw="").exists()


def test_roles_exist_as_groups_and_no_account_is_created_by_migrations(db, django_user_model):
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    assert not django_user_model.objects.exists()


def test_the_demo_data_set_files_through_the_service_and_prints_logins(db, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "DEMONSTRATION DATA ONLY" in out
    assert "demo-committee-chair" in out
    assert Complaint.objects.count() >= 4
    assert all(c.narrative.startswith("DEMO") for c in Complaint.objects.all())
    assert Complaint.objects.exclude(status="received").exists()


def test_the_demo_data_set_refuses_to_run_in_production(db, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")


def test_the_migrated_roles_hold_exactly_the_permissions_monitoring_roles_lists(db):
    for name, permissions in ROLES.items():
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")
        }
        assert granted == set(permissions), name


def test_each_role_holds_exactly_the_permissions_roles_py_lists(db):
    held = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }

    assert held == {name: set(permissions) for name, permissions in ROLES.items()}
