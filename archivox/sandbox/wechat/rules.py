"""The platform's rules as the sandbox enforces them (docs/sandbox-wechat.md gives the sources).

Where the platform's documentation and folklore differ, the sandbox takes the stricter value, so
code that passes here also passes there."""

from __future__ import annotations

import secrets

TOKEN_LIFETIME = 7200  # seconds an access_token lives
TOKEN_OVERLAP = 300  # seconds the previous token keeps working after a new one is fetched
TICKET_LIFETIME = 7200  # seconds a jsapi_ticket lives
OAUTH_CODE_LIFETIME = 300  # a web-authorisation code: 5 minutes, used once
OAUTH_SCOPES = frozenset({"snsapi_base", "snsapi_userinfo"})
# One-time subscription messages (一次性订阅消息): scene 0–10000, title ≤ 15 characters,
# content ≤ 200 characters, one message per consent.
SUBSCRIBE_SCENE_MAX = 10000
SUBSCRIBE_TITLE_MAX = 15
SUBSCRIBE_CONTENT_MAX = 200
# The JS-SDK page signature: how far a config's timestamp may be from the sandbox's clock.
JSSDK_TIMESTAMP_SKEW = 7200

# Per-account daily quotas (calls a day) and per-minute frequency limits.
DAILY_QUOTA = {
    "token": 2000,
    "media/uploadimg": 5000,
    "material/add_material": 5000,
    "draft/add": 1000,
    "freepublish/submit": 100,
    "freepublish/delete": 100,
    "message/mass/sendall": 100,
    "message/mass/preview": 100,
    "message/custom/send": 500_000,
    "menu/create": 1000,
    "menu/delete": 1000,
    "message/template/send": 100_000,
    "message/template/subscribe": 100_000,
    "ticket/getticket": 100_000,
    "menu/get": 10_000,
    "user/info": 5_000_000,
    "datacube/getarticlesummary": 5000,
    "datacube/getusersummary": 5000,
}
MINUTE_QUOTA = {"message/mass/sendall": 60}

# Mass sends: a subscription account once a (Beijing) day, a service account 4 times a month.
MASS_SENDS_PER_DAY_SUBSCRIPTION = 1
MASS_SENDS_PER_MONTH_SERVICE = 4
CLIENTMSGID_MAX_BYTES = 64
CLIENTMSGID_MEMORY = 24 * 3600  # a clientmsgid is remembered this long
CLIENTMSGID_RETRY_TOO_FAST = 60  # a repeat within a minute is refused without the msg_id

# Customer-service messages after a user's message: 5 within 48 hours.
CS_WINDOW = 48 * 3600
CS_MESSAGES_PER_WINDOW = 5

# Articles (draft/add).
TITLE_MAX_CHARS = 32
AUTHOR_MAX_CHARS = 16
DIGEST_MAX_CHARS = 128
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
ARTICLES_PER_DRAFT = 8

# Images.
UPLOADIMG_MAX_BYTES = 1024 * 1024  # jpg/png inside articles
THUMB_MAX_BYTES = 64 * 1024  # jpg
IMAGE_MAX_BYTES = 10 * 1024 * 1024  # permanent image material

# Template messages: the longest value of a field, by the kind its key names (thing1 …).
TEMPLATE_FIELD_LIMITS = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "name": 10,
    "number": 32,
    "phone_number": 17,
    "car_number": 8,
    "time": 40,
    "date": 40,
    "amount": 32,
}

# Menus.
MENU_BUTTONS = 3
MENU_SUB_BUTTONS = 5
MENU_NAME_BYTES = 16
MENU_SUB_NAME_BYTES = 60
MENU_KEY_BYTES = 128
MENU_URL_BYTES = 1024
MENU_TYPES = frozenset(
    {
        "click",
        "view",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "media_id",
        "article_id",
        "article_view_limited",
        "miniprogram",
    }
)

# Datacube: data up to yesterday; span in days (inclusive) per call.
DATACUBE_MAX_DAYS = {"getarticlesummary": 1, "getusersummary": 7}

# The platform's errmsg for each errcode the sandbox returns.
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40012: "invalid thumb size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40035: "invalid args",
    40097: "invalid args",
    40029: "invalid code",
    40037: "invalid template_id",
    47003: "argument invalid! data.{key}.value invalid",
    40163: "code been used",
    10003: "redirect_uri domain mismatch",
    10005: "insufficient scope",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, must slower, retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45028: "has no masssend quota",
    45047: "out of response count limit",
    45065: "clientmsgid exist",
    45066: "clientmsgid retry too fast, please retry after 1 minute",
    45067: "clientmsgid size out of limit",
    45110: "author size out of limit",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
    61500: "date format error",
    61501: "date range error",
}


def errmsg(errcode: int) -> str:
    """The errmsg with a request id, as the platform writes it."""
    rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
    return f"{ERRMSG.get(errcode, 'error')} rid: {rid}"
