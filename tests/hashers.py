"""A quick Argon2id for tests: the same algorithm and stored format as production, cheap settings.

Production hashes a staff password with Django's Argon2 settings (about 0.16 s each here); a test
that makes an account and signs it in pays that two or three times, which made the sign-in tests
most of the mutation run's time. tests/monitoring/test_passwords.py checks the production setting.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1
