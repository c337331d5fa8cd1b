"""python manage.py createinstructor NAME [--password P]

An instructor account (a user in the group `instructors`): they sign in at /sign-in/, make
classes and teach. Without --password a password is generated and printed, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from simulator import classrooms, services


class Command(BaseCommand):
    help = "Create an instructor account; prints a generated password when none is given."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the user name to sign in with")
        parser.add_argument("--password", default=None, help="the password (default: a generated one, printed)")
        parser.add_argument("--email", default="", help="an email address (optional)")

    def handle(self, *args, **options):
        try:
            user, password = classrooms.instructor_create(
                username=options["name"], password=options["password"], email=options["email"]
            )
        except services.ServiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"instructor {user.get_username()} created; sign in at /sign-in/")
        if options["password"] is None:
            self.stdout.write(f"password: {password}")
