"""Anonymise a person (KVKK), as the API's POST /api/v1/people/{id}/anonymise/ does.

    manage.py anonymise_person <username>            # asks to type the username again
    manage.py anonymise_person <username> --yes      # in a script

Their name, e-mail, phone and username are replaced everywhere, their files deleted; tickets and
every figure stay."""

import sys

from django.core.management.base import BaseCommand, CommandError

from organizations.models import User
from portal.privacy.anonymise import person_anonymise


class Command(BaseCommand):
    help = "Anonymise a person: name, e-mail, phone and username replaced and redacted, files deleted."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, username, yes, **options):
        # Who runs the command on the server acts for the controller; there is no actor to check.
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No person with the username {username!r}.")
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Not on a terminal: pass --yes to confirm.")
            typed = input(f"Type the username ({username}) again to anonymise this person: ")
            if typed.strip() != username:
                raise CommandError("The username typed does not match; nothing was changed.")
        summary = person_anonymise(actor=None, person=person)
        person.refresh_from_db()
        self.stdout.write(
            f"anonymised person {person.pk} as {person.username}: "
            f"{summary['files_deleted']} files deleted, {summary['rows_redacted']} rows redacted"
        )
