"""Everything the WeChat sandbox does: issue tokens, keep drafts, publish, mass-send, talk to
followers, push events to callback URLs, inject faults — enforcing the platform's rules.

API services take the caller's account and the decoded request and return the platform's JSON
answer, or raise ``SandboxApiError(errcode)``; views only translate. The functions named
``sandbox_…`` are the sandbox's own controls (provisioning, followers, faults, clock) for the
simulated WeChat user, tests and benchmarks.

One module per stage:

- ``common``: ``SandboxApiError``, ``SandboxError`` and the random ids every stage hands out;
- ``accounts``: accounts, their provisioning for an archive, the account's clock;
- ``followers``: following, unfollowing, the customer-service window, ``user/info``;
- ``faults``: failures injected into an account's next calls;
- ``tokens``: access tokens and the APIs' quotas;
- ``media``: uploaded images;
- ``publishing``: drafts, ``freepublish`` and the background publish job;
- ``mass``: mass send and preview;
- ``customer_service``: customer-service messages;
- ``menus``: the custom menu;
- ``tickets``: the JS-SDK's jsapi_ticket and the check of a page's signature;
- ``statistics``: ``datacube`` and the reads of a published article;
- ``events``: events pushed to the account's callback URL.

This package re-exports their public names, so ``from archivox.sandbox.wechat.services import
sandbox_fault_set`` keeps working. Code inside the app imports from the stage module.
"""

from archivox.sandbox.wechat.services.accounts import (
    sandbox_account_create,
    sandbox_account_update,
    sandbox_clock_advance,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat.services.common import ALNUM, SandboxApiError, SandboxError
from archivox.sandbox.wechat.services.customer_service import custom_send
from archivox.sandbox.wechat.services.events import event_request, sandbox_event_deliver
from archivox.sandbox.wechat.services.faults import (
    sandbox_fault_set,
    sandbox_fault_take,
    sandbox_faults_clear,
)
from archivox.sandbox.wechat.services.followers import (
    sandbox_follower_subscribe,
    sandbox_follower_touch,
    sandbox_follower_unsubscribe,
    user_info,
)
from archivox.sandbox.wechat.services.mass import mass_get, mass_preview, mass_sendall
from archivox.sandbox.wechat.services.media import media_upload
from archivox.sandbox.wechat.services.menus import menu_create, menu_delete, menu_get
from archivox.sandbox.wechat.services.publishing import (
    ARTICLE_FIELDS,
    draft_add,
    draft_get,
    publish_batchget,
    publish_delete,
    publish_get,
    publish_settle,
    publish_submit,
    sandbox_publish_finish,
)
from archivox.sandbox.wechat.services.statistics import article_view, datacube
from archivox.sandbox.wechat.services.tickets import sandbox_jssdk_verify, ticket_issue
from archivox.sandbox.wechat.services.tokens import (
    quota_consume,
    sandbox_quota_use,
    token_account,
    token_check,
    token_issue,
)

__all__ = [
    "ALNUM",
    "ARTICLE_FIELDS",
    "SandboxApiError",
    "SandboxError",
    "article_view",
    "custom_send",
    "datacube",
    "draft_add",
    "draft_get",
    "event_request",
    "mass_get",
    "mass_preview",
    "mass_sendall",
    "media_upload",
    "menu_create",
    "menu_delete",
    "menu_get",
    "publish_batchget",
    "publish_delete",
    "publish_get",
    "publish_settle",
    "publish_submit",
    "quota_consume",
    "sandbox_account_create",
    "sandbox_account_update",
    "sandbox_clock_advance",
    "sandbox_event_deliver",
    "sandbox_fault_set",
    "sandbox_fault_take",
    "sandbox_faults_clear",
    "sandbox_follower_subscribe",
    "sandbox_follower_touch",
    "sandbox_follower_unsubscribe",
    "sandbox_jssdk_verify",
    "sandbox_publish_finish",
    "sandbox_quota_use",
    "sandbox_wechat_account_ensure",
    "ticket_issue",
    "token_account",
    "token_check",
    "token_issue",
    "user_info",
]
