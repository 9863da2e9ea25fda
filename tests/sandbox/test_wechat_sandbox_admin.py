"""The WeChat sandbox's state and our token store can be looked at in the admin, never a token."""

import pytest
from django.urls import reverse

from archivox.platforms.tokens.models import PlatformToken
from archivox.sandbox.wechat import models, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        models.Account,
        models.AccessToken,
        models.Follower,
        models.Media,
        models.Draft,
        models.Publish,
        models.Article,
        models.MassMessage,
        models.CustomMessage,
        models.Menu,
        models.Fault,
        models.QuotaUsage,
        models.EventDelivery,
        PlatformToken,
    ],
)
def test_admin_lists_render(client, model):
    account = services.sandbox_account_create(name="后台")
    services.token_issue(
        appid=account.appid, secret=account.app_secret, grant_type="client_credential"
    )
    services.sandbox_follower_touch(account.appid, "oAdmin")
    services.sandbox_fault_set(appid=account.appid, mode="busy")
    PlatformToken.objects.create(platform="wechat", key=account.appid, value="secret-token-value")
    client.force_login(UserFactory(is_superuser=True))
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    assert b"secret-token-value" not in response.content
