"""The first vendor account of a new installation: a package manager with the Django admin's
superuser rights, who adds the desk and the institutions from there.

    manage.py bootstrap_staff --username ops --email ops@example.com          # asks for the password
    DJANGO_STAFF_PASSWORD=… manage.py bootstrap_staff --username ops --email ops@example.com
    printf '%s\\n' "$PASSWORD" | manage.py bootstrap_staff --username ops --email ops@example.com --password-stdin

Running it again with the same username changes nothing (the password included)."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.models import User
from organizations.services import staff_bootstrap

PASSWORD_VARIABLE = "DJANGO_STAFF_PASSWORD"


class Command(BaseCommand):
    help = "Create the installation's first vendor account (package manager, admin superuser); idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="asked for when omitted on a terminal")
        parser.add_argument("--email", help="asked for when omitted on a terminal")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=f"read the password from the first line of standard input (else {PASSWORD_VARIABLE}, else asked)",
        )

    def handle(self, *args, username=None, email=None, password_stdin=False, **options):
        interactive = sys.stdin.isatty()
        username = username or self._ask("Username", interactive, "--username")
        if User.objects.filter(username=username).exists():
            self.stdout.write(f'The account "{username}" already exists; nothing changed.')
            return
        email = email or self._ask("E-mail address", interactive, "--email")
        password = self._password(password_stdin, interactive)
        try:
            person, _created = staff_bootstrap(username=username, email=email, password=password)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f'Vendor account "{person.username}" created (package manager, admin superuser); '
                "sign in and add the desk and the institutions."
            )
        )

    def _ask(self, label: str, interactive: bool, option: str) -> str:
        if not interactive:
            raise CommandError(f"{option} is required when standard input is not a terminal.")
        value = input(f"{label}: ").strip()
        if not value:
            raise CommandError(f"{label} is required.")
        return value

    def _password(self, password_stdin: bool, interactive: bool) -> str:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif os.environ.get(PASSWORD_VARIABLE):
            password = os.environ[PASSWORD_VARIABLE]
        elif interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        else:
            raise CommandError(
                f"No password: set {PASSWORD_VARIABLE}, pass --password-stdin, or run on a terminal."
            )
        if not password:
            raise CommandError("The password is empty.")
        return password
