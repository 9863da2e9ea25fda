"""Platform account settings (secrets write-only) and staff management, for administrators."""

import pytest
from django.urls import reverse

from archivox.core import services as core_services
from archivox.core.models import AuditEntry, Membership, PlatformAccount, User

pytestmark = pytest.mark.django_db

AES_KEY = "a" * 43


def _wechat(**values):
    data = {
        "platform": "wechat",
        "wechat-name": "南京档案",
        "wechat-appid": "wx0123456789",
        "wechat-original_id": "gh_abc",
        "wechat-wechat_type": "subscription",
        "wechat-welcome_text": "欢迎关注南京档案",
        "wechat-is_active": "on",
        "wechat-app_secret": "",
        "wechat-token": "",
        "wechat-encoding_aes_key": "",
    }
    data.update({f"wechat-{key}": value for key, value in values.items()})
    return data


def test_an_administrator_sets_up_wechat_and_never_sees_the_secrets_again(
    client, administrator, nanjing
):
    client.force_login(administrator)
    url = reverse("console:accounts", args=["nanjing"])
    response = client.post(
        url, _wechat(app_secret="s3cret-app-1a2b", token="tok-9z", encoding_aes_key=AES_KEY)
    )
    assert response.status_code == 302
    account = PlatformAccount.objects.get(archive=nanjing, platform="wechat")
    assert account.app_secret == "s3cret-app-1a2b" and account.welcome_text == "欢迎关注南京档案"

    html = client.get(url).content.decode()
    assert "s3cret-app-1a2b" not in html and "tok-9z" not in html and AES_KEY not in html
    assert "••••" in html and "2b" in html  # the masked hint
    entry = AuditEntry.objects.get(action="platform_account.create")
    assert "s3cret" not in str(entry.after) and entry.after["app_secret"] == "(secret set)"

    # An empty secret field keeps the stored secret; other fields change.
    client.post(url, _wechat(welcome_text="你好"))
    account.refresh_from_db()
    assert account.app_secret == "s3cret-app-1a2b" and account.token == "tok-9z"
    assert account.welcome_text == "你好"

    # Erasing is explicit.
    client.post(url, _wechat(welcome_text="你好", clear_token="on"))
    account.refresh_from_db()
    assert account.token == "" and account.app_secret == "s3cret-app-1a2b"
    last = AuditEntry.objects.filter(action="platform_account.update").latest("id")
    assert last.before == {"token": "(secret set)"} and last.after == {"token": ""}


def test_an_administrator_sets_the_wechat_message_mode_as_in_wechats_console(
    client, administrator, nanjing
):
    client.force_login(administrator)
    url = reverse("console:accounts", args=["nanjing"])
    client.post(url, _wechat(token="tok-9z", encoding_aes_key=AES_KEY))
    account = PlatformAccount.objects.get(archive=nanjing, platform="wechat")
    assert account.message_mode == "safe"  # a new account takes encrypted messages only
    assert 'name="wechat-message_mode"' in client.get(url).content.decode()

    client.post(url, _wechat(message_mode="plaintext"))
    account.refresh_from_db()
    assert account.message_mode == "plaintext"
    last = AuditEntry.objects.filter(action="platform_account.update").latest("id")
    assert (last.before, last.after) == ({"message_mode": "safe"}, {"message_mode": "plaintext"})

    client.post(url, _wechat(welcome_text="你好"))  # a form without the mode keeps it
    account.refresh_from_db()
    assert (account.message_mode, account.welcome_text) == ("plaintext", "你好")
    assert client.post(url, _wechat(message_mode="none")).status_code == 200  # refused
    account.refresh_from_db()
    assert account.message_mode == "plaintext"


def test_a_wrong_encoding_aes_key_is_refused_next_to_the_field(client, administrator, nanjing):
    client.force_login(administrator)
    response = client.post(
        reverse("console:accounts", args=["nanjing"]), _wechat(encoding_aes_key="short")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "43 characters" in html and 'aria-invalid="true"' in html
    assert not PlatformAccount.objects.exists()


def test_weibo_keys_are_saved_on_their_own_form(client, administrator, nanjing):
    client.force_login(administrator)
    client.post(
        reverse("console:accounts", args=["nanjing"]),
        {
            "platform": "weibo",
            "weibo-name": "南京档案微博",
            "weibo-weibo_uid": "1234567",
            "weibo-weibo_access_token": "2.00abc",
            "weibo-safe_domain": "archives.example.org",
            "weibo-is_active": "on",
        },
    )
    account = PlatformAccount.objects.get(platform="weibo")
    assert account.weibo_uid == "1234567" and account.weibo_access_token == "2.00abc"


def test_platform_account_update_refuses_an_archivist(archivist, nanjing):
    from archivox.core.selectors import ArchivePermissionDenied

    with pytest.raises(ArchivePermissionDenied):
        core_services.platform_account_update(
            actor=archivist, archive=nanjing, platform="wechat", appid="wx1"
        )


def test_an_administrator_creates_a_staff_account_and_sees_its_password_once(
    client, administrator, nanjing
):
    client.force_login(administrator)
    url = reverse("console:members", args=["nanjing"])
    response = client.post(
        url,
        {
            "action": "create",
            "new-username": "li",
            "new-display_name": "李",
            "new-role": "reviewer",
        },
    )
    assert response.status_code == 200
    password = response.context["new_password"]
    assert len(password) >= 12 and password in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    li = User.objects.get(username="li")
    assert li.check_password(password) and li.is_staff
    assert Membership.objects.filter(user=li, archive=nanjing, role="reviewer").exists()
    assert password not in client.get(url).content.decode()
    entry = AuditEntry.objects.get(action="staff.create")
    assert entry.actor == administrator and password not in str(entry.after)

    response = client.post(url, {"action": "create", "new-username": "li", "new-role": "reviewer"})
    assert response.status_code == 200
    assert "username" in response.context["create_form"].errors


def test_an_administrator_grants_and_revokes_roles(client, administrator, archivist, nanjing):
    client.force_login(administrator)
    url = reverse("console:members", args=["nanjing"])
    response = client.post(
        url, {"action": "grant", "grant-username": "nobody", "grant-role": "reviewer"}
    )
    assert "There is no user with this name." in response.content.decode()
    client.post(url, {"action": "grant", "grant-username": "archivist", "grant-role": "reviewer"})
    assert set(archivist.memberships.values_list("role", flat=True)) == {"archivist", "reviewer"}
    client.post(
        reverse("console:members_revoke", args=["nanjing"]),
        {"user": archivist.pk, "role": "archivist"},
    )
    assert set(archivist.memberships.values_list("role", flat=True)) == {"reviewer"}
    actions = list(AuditEntry.objects.filter(actor=administrator).values_list("action", flat=True))
    assert "membership.grant" in actions and "membership.revoke" in actions


def test_the_member_list_shows_only_this_archives_staff(client, administrator, outsider):
    client.force_login(administrator)
    html = client.get(reverse("console:members", args=["nanjing"])).content.decode()
    assert "administrator" in html and "outsider" not in html


def test_only_an_administrator_of_the_archive_may_create_staff_there(archivist, outsider, nanjing):
    from archivox.core.selectors import ArchivePermissionDenied

    for actor in (archivist, outsider):
        with pytest.raises(ArchivePermissionDenied):
            core_services.staff_member_create(
                actor=actor, archive=nanjing, username="sneaky", role="administrator"
            )
    assert not User.objects.filter(username="sneaky").exists()


def test_platform_account_update_rejects_unknown_fields_and_changes_nothing(administrator, nanjing):
    with pytest.raises(ValueError, match="created_at"):
        core_services.platform_account_update(
            actor=administrator, archive=nanjing, platform="wechat", created_at=None
        )
    with pytest.raises(ValueError, match="unknown platform"):
        core_services.platform_account_update(
            actor=administrator, archive=nanjing, platform="myspace", appid="x"
        )
    assert not PlatformAccount.objects.exists()
