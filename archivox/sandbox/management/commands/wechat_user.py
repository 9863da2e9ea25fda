"""``python manage.py wechat_user --archive nanjing "白崇禧公馆"``: be a WeChat follower.

Sends one signed (and, in safe or compatible mode, encrypted) message or event to the archive's
server callback, following WeChat's retry rule, and prints the answer."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.models import Archive, PlatformAccount
from archivox.sandbox.wechat_user import MODES, WeChatReplyError, WeChatUser

# The account's setting (WeChat's console) → how the simulated follower sends.
USER_MODE = {
    PlatformAccount.MessageMode.SAFE: "safe",
    PlatformAccount.MessageMode.COMPATIBLE: "compat",
    PlatformAccount.MessageMode.PLAINTEXT: "plain",
}


class Command(BaseCommand):
    help = "Send a message (or event) to an archive's WeChat callback as a follower would."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", default="", help="the text message to send")
        parser.add_argument("--archive", required=True, help="the archive's slug")
        parser.add_argument(
            "--mode", choices=MODES, help="default: the stored account's mode (else safe)"
        )
        parser.add_argument("--event", help="send this event instead (subscribe, CLICK, …)")
        parser.add_argument("--key", help="the event's EventKey (CLICK, VIEW, SCAN)")
        parser.add_argument("--openid", help="the follower's openid (default: a new one)")
        parser.add_argument("--base-url", default=settings.BASE_URL)
        parser.add_argument("--appid", help="instead of the stored account's")
        parser.add_argument("--token", help="instead of the stored account's")
        parser.add_argument("--aes-key", help="EncodingAESKey, instead of the stored account's")
        parser.add_argument("--json", action="store_true", help="print the answer as JSON")

    def handle(self, *args, **options) -> None:
        slug = options["archive"]
        credentials = {
            "appid": options["appid"],
            "token": options["token"],
            "encoding_aes_key": options["aes_key"],
        }
        to = "gh_archivox0001"
        account = PlatformAccount.objects.filter(
            archive__slug=slug, platform=PlatformAccount.Platform.WECHAT
        ).first()
        if not all(credentials.values()):
            if not Archive.objects.filter(slug=slug).exists():
                raise CommandError(f"no archive with the slug {slug!r}")
            if account is None:
                raise CommandError(
                    f"the archive {slug!r} has no WeChat account; add one in the admin "
                    "or pass --appid, --token and --aes-key"
                )
            credentials = {
                "appid": credentials["appid"] or account.appid,
                "token": credentials["token"] or account.token,
                "encoding_aes_key": credentials["encoding_aes_key"] or account.encoding_aes_key,
            }
            to = account.original_id or to
        mode = options["mode"] or (USER_MODE[account.message_mode] if account else "safe")
        if not credentials["token"]:
            raise CommandError(f"the WeChat account of {slug!r} has no server token")
        if mode != "plain" and not (credentials["encoding_aes_key"] and credentials["appid"]):
            raise CommandError("safe and compatible mode need the AppID and the EncodingAESKey")
        if not options["event"] and not options["text"]:
            raise CommandError("give the text to send, or --event")
        user = WeChatUser(
            options["base_url"],
            slug,
            openid=options["openid"],
            mode=mode,
            to=to,
            **credentials,
        )
        try:
            if options["event"]:
                reply = user.send_event(options["event"], options["key"])
            else:
                reply = user.send_text(options["text"])
        except WeChatReplyError as exc:
            raise CommandError(f"WeChat would reject the callback's answer: {exc}") from exc
        finally:
            user.close()
        self._print(reply, user, as_json=options["json"])
        if reply.status is None:
            raise CommandError(f"no answer after {reply.tries} tries")
        if reply.status != 200:
            raise CommandError(
                f"the callback refused the message (HTTP {reply.status}): {reply.body[:200]}"
            )

    def _print(self, reply, user: WeChatUser, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "status": reply.status,
                        "openid": user.openid,
                        "msg_id": reply.msg_id,
                        "tries": reply.tries,
                        "latency_ms": round(reply.latency * 1000, 1),
                        "encrypted": reply.encrypted,
                        "success": reply.is_success,
                        "fields": reply.fields,
                        "body": reply.body if not reply.fields else "",
                    },
                    ensure_ascii=False,
                )
            )
            return
        summary = (
            f"HTTP {reply.status} after {reply.tries} "
            f"{'try' if reply.tries == 1 else 'tries'}, {reply.latency * 1000:.0f} ms"
            f"{', encrypted' if reply.encrypted else ''} (openid {user.openid})"
        )
        self.stdout.write(summary)
        if reply.fields:
            self.stdout.write(f"{reply.msg_type}: {reply.content}")
            # A news reply's cards (a catalog search's hits): one line each, title and link.
            articles = reply.fields.get("Articles")
            items = articles.get("item", []) if isinstance(articles, dict) else []
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, dict):
                    self.stdout.write(f"  · {item.get('Title', '')}  {item.get('Url', '')}")
        elif reply.is_success:
            self.stdout.write("success (no passive reply; any answer comes later)")
