"""``raschet api token create --user LOGIN [--name TEXT]``, ``raschet api token list [--user LOGIN]``,
``raschet api token revoke PREFIX``: the REST API's per-user tokens. A new token is printed once; only
its SHA-256 is kept, so a lost token is revoked and a new one created."""

from __future__ import annotations

from django.core.management.base import CommandParser

from raschet.api.models import ApiToken
from raschet.commandline import ProjectCommand, actor_from
from raschet.domain.errors import ProblemsError, problem


class Command(ProjectCommand):
    help = "REST API: token create --user ЛОГИН — выпустить токен пользователя; token list; token revoke НАЧАЛО."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ДЕЙСТВИЕ")
        token = sub.add_parser("token", help="токены пользователей: create, list, revoke")
        token.add_argument("token_action", choices=("create", "list", "revoke"), metavar="create|list|revoke")
        token.add_argument("prefix", nargs="?", help="начало токена (для revoke), как в token list")
        token.add_argument("--user", metavar="LOGIN", help="пользователь (для create обязателен)")
        token.add_argument("--name", default="", help="назначение токена, например «интеграция с банком»")

    def handle(self, *args, **options) -> None:
        action = options["token_action"]
        if action == "create":
            self.create(options.get("user"), options.get("name") or "")
        elif action == "list":
            self.list(options.get("user"))
        else:
            self.revoke(options.get("prefix"))

    def create(self, login: str | None, name: str) -> None:
        if not login:
            raise ProblemsError([problem("missing_field", "--user", field="--user")])
        user = actor_from(login)
        token, secret = ApiToken.issue(user, name[:100])
        self.stdout.write(f"Токен пользователя {user.get_username()} (начало {token.prefix}), показывается один раз:")
        self.stdout.write(secret)
        self.stdout.write("Передавайте его в заголовке «Authorization: Bearer …».")

    def list(self, login: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if login:
            tokens = tokens.filter(user=actor_from(login))
        for token in tokens:
            state = f"отозван {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "действует"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "не использовался"
            self.stdout.write(f"{token.prefix}  {token.user.get_username():<20} {state:<24} {used:<18} {token.name}")

    def revoke(self, prefix: str | None) -> None:
        if not prefix:
            raise ProblemsError([problem("missing_field", "prefix", field="начало токена")])
        found = list(ApiToken.objects.filter(prefix__startswith=prefix[:12], revoked_at__isnull=True))
        if len(found) != 1:
            reason = "не найден действующий токен" if not found else "под это начало подходит несколько токенов"
            raise ProblemsError([problem("invalid_value", "prefix", value=prefix, field="начало токена", reason=reason)])
        found[0].revoke()
        self.stdout.write(f"Токен {found[0].prefix}… пользователя {found[0].user.get_username()} отозван.")
