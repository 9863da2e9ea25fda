"""The WeChat API sandbox over HTTP: the platform's paths under /sandbox/wechat/, its JSON shapes
and errcodes; plus the published-article pages and the sandbox's own controls (``_faults``,
``_followers``, ``_clock``). Each view parses the request and calls one service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import nh3
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from archivox.sandbox.wechat import faults, rules, selectors
from archivox.sandbox.wechat.models import Account, Fault, Media
from archivox.sandbox.wechat.services import (
    accounts,
    customer_service,
    followers,
    mass,
    menus,
    oauth,
    publishing,
    statistics,
    subscribe,
    templates,
    tickets,
    tokens,
)
from archivox.sandbox.wechat.services import faults as fault_services
from archivox.sandbox.wechat.services import media as media_services
from archivox.sandbox.wechat.services.common import SandboxApiError, SandboxError

Handler = Callable[[HttpRequest, Account | None], dict[str, Any]]


def _json(payload: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise SandboxApiError(45002) from exc
    if not raw.strip():
        raise SandboxApiError(44002)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SandboxApiError(47001) from exc
    if not isinstance(data, dict):
        raise SandboxApiError(47001)
    return data


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def platform_api(name: str, *, method: str = "POST", needs_token: bool = True):
    """Wrap a handler as a platform endpoint: faults, HTTP method, access_token, quotas."""

    def decorate(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponse:
            found = None
            if needs_token:
                found = tokens.token_find(request.GET.get("access_token", ""))
                owner = found.account if found is not None else None
            else:
                owner = selectors.account_get(request.GET.get("appid", ""))
            plan = faults.request_fault(request)
            if plan is None and owner is not None:
                fault = fault_services.sandbox_fault_take(
                    account=owner, api=name, waiting=found.faulted if found else None
                )
                if fault is not None:
                    plan = faults.parse_fault(f"{fault.mode}={fault.seconds or ''}")
            if plan is not None and plan.mode == "http500":
                return HttpResponse(
                    b"<html><body>500 Internal Server Error</body></html>",
                    status=500,
                    content_type="text/html",
                )
            if plan is not None and plan.mode == "busy":
                return _json({"errcode": -1, "errmsg": rules.errmsg(-1)})
            faults.pause(plan)
            try:
                if request.method != method:
                    raise SandboxApiError(43002 if method == "POST" else 43001)
                account = None
                if needs_token:
                    account = tokens.token_check(request.GET.get("access_token", ""), found=found)
                    tokens.quota_consume(account=account, api=name)
                answer = handler(request, account)
            except SandboxApiError as exc:
                answer = exc.payload()
            response = _json(answer)
            if plan is not None and plan.mode == "drop_after_commit":
                return faults.dropped_response(request, response)
            return response

        return view

    return decorate


@platform_api("token", method="GET", needs_token=False)
def token(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return tokens.token_issue(
        appid=request.GET.get("appid", ""),
        secret=request.GET.get("secret", ""),
        grant_type=request.GET.get("grant_type", ""),
    )


@platform_api("media/uploadimg")
def media_uploadimg(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return media_services.media_upload(
        account=account,
        kind=Media.Kind.ARTICLE_IMAGE,
        upload=request.FILES.get("media"),
        site=_site(request),
    )


@platform_api("material/add_material")
def material_add(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    kind = request.GET.get("type", "")
    return media_services.media_upload(
        account=account,
        kind=kind if kind in (Media.Kind.THUMB, Media.Kind.IMAGE) else "unsupported",
        upload=request.FILES.get("media"),
        site=_site(request),
    )


@platform_api("draft/add")
def draft_add(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.draft_add(account=account, body=_body(request))


@platform_api("draft/get")
def draft_get(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.draft_get(account=account, body=_body(request))


@platform_api("freepublish/submit")
def freepublish_submit(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.publish_submit(account=account, body=_body(request), site=_site(request))


@platform_api("freepublish/get")
def freepublish_get(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.publish_get(account=account, body=_body(request))


@platform_api("freepublish/batchget")
def freepublish_batchget(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.publish_batchget(account=account, body=_body(request))


@platform_api("freepublish/delete")
def freepublish_delete(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return publishing.publish_delete(account=account, body=_body(request))


@platform_api("message/mass/sendall")
def mass_sendall(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return mass.mass_sendall(account=account, body=_body(request))


@platform_api("message/mass/preview")
def mass_preview(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return mass.mass_preview(account=account, body=_body(request))


@platform_api("message/mass/get")
def mass_get(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return mass.mass_get(account=account, body=_body(request))


@platform_api("message/custom/send")
def custom_send(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return customer_service.custom_send(account=account, body=_body(request))


@platform_api("message/template/send")
def template_send(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return templates.template_send(account=account, body=_body(request))


@platform_api("message/template/subscribe")
def template_subscribe(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return subscribe.subscribe_send(account=account, body=_body(request))


@platform_api("menu/create")
def menu_create(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return menus.menu_create(account=account, body=_body(request))


@platform_api("menu/get", method="GET")
def menu_get(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return menus.menu_get(account=account)


@platform_api("menu/delete", method="GET")
def menu_delete(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return menus.menu_delete(account=account)


@platform_api("ticket/getticket", method="GET")
def ticket_getticket(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return tickets.ticket_issue(account=account, kind=request.GET.get("type", ""))


@platform_api("user/info", method="GET")
def user_info(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return followers.user_info(
        account=account,
        openid=request.GET.get("openid", ""),
        lang=request.GET.get("lang", "zh_CN"),
    )


@platform_api("datacube/getarticlesummary")
def datacube_articles(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return statistics.datacube(account=account, name="getarticlesummary", body=_body(request))


@platform_api("datacube/getusersummary")
def datacube_users(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return statistics.datacube(account=account, name="getusersummary", body=_body(request))


# -- what the public sees ---------------------------------------------------------------------

ARTICLE_TAGS = {
    "p", "br", "span", "strong", "b", "em", "i", "u", "s", "blockquote", "section", "h1", "h2",
    "h3", "h4", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody",
    "tr", "th", "td", "hr", "pre", "code", "sup", "sub",
}  # fmt: skip


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    """A published article's page (the platform's mp.weixin.qq.com/s/… link)."""
    found = selectors.article_get_by_slug(slug)
    if found is None or found.deleted_at is not None:
        # The platform shows "该内容已被发布者删除" for a deleted article.
        raise Http404("no such article, or the publisher deleted it")
    stats = statistics.article_view(article=found)
    content = nh3.clean(found.content, tags=ARTICLE_TAGS)
    return render(
        request,
        "sandbox_wechat/article.html",
        {"article": found, "account": found.publish.account, "content": content, "stats": stats},
    )


@require_GET
def media(request: HttpRequest, media_id: str) -> HttpResponse:
    found = Media.objects.filter(media_id=media_id).first()
    if found is None:
        raise Http404("no such media")
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- the sandbox's own controls ---------------------------------------------------------------


def _control_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise SandboxError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise SandboxError("the body must be a JSON object")
    return data


def _control(handler: Callable[[HttpRequest], dict[str, Any]]):
    @csrf_exempt
    @wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        try:
            return _json(handler(request))
        except Account.DoesNotExist:
            return _json({"error": "no such sandbox account"}, status=404)
        except (SandboxError, KeyError, TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, status=400)

    return view


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "id": fault.pk,
        "mode": fault.mode,
        "api": fault.api,
        "remaining": fault.remaining,
        "seconds": fault.seconds,
    }


@require_http_methods(["GET", "POST", "DELETE"])
@_control
def faults_endpoint(request: HttpRequest) -> dict[str, Any]:
    """GET ?appid= lists the account's faults; POST {appid, mode, remaining, api, seconds} adds
    one; DELETE ?appid= clears them."""
    if request.method == "POST":
        data = _control_body(request)
        fault = fault_services.sandbox_fault_set(
            appid=str(data["appid"]),
            mode=str(data["mode"]),
            remaining=int(data.get("remaining", 1)),
            api=str(data.get("api", "")),
            seconds=float(data["seconds"]) if data.get("seconds") is not None else None,
        )
        return {"fault": _fault_json(fault)}
    appid = request.GET.get("appid", "")
    Account.objects.get(appid=appid)
    if request.method == "DELETE":
        return {"deleted": fault_services.sandbox_faults_clear(appid=appid)}
    return {"faults": [_fault_json(f) for f in Fault.objects.filter(account__appid=appid)]}


@require_http_methods(["POST"])
@_control
def followers_endpoint(request: HttpRequest) -> dict[str, Any]:
    """POST {appid, openid, action: message|subscribe|unsubscribe}: what the user just did."""
    data = _control_body(request)
    appid, openid = str(data["appid"]), str(data["openid"])
    action = data.get("action", "message")
    if action == "message":
        follower = followers.sandbox_follower_touch(appid, openid)
    elif action == "subscribe":
        follower = followers.sandbox_follower_subscribe(appid, openid)
    elif action == "unsubscribe":
        follower = followers.sandbox_follower_unsubscribe(appid, openid)
    else:
        raise SandboxError("action must be message, subscribe or unsubscribe")
    if follower is None:
        return {"openid": openid, "subscribed": False}
    return {
        "openid": follower.openid,
        "subscribed": follower.subscribed,
        "last_message_at": follower.last_message_at.isoformat()
        if follower.last_message_at
        else None,
    }


@require_http_methods(["POST"])
@_control
def clock_endpoint(request: HttpRequest) -> dict[str, Any]:
    """POST {appid, seconds}: let time pass for the account."""
    data = _control_body(request)
    offset = accounts.sandbox_clock_advance(appid=str(data["appid"]), seconds=int(data["seconds"]))
    return {"clock_offset": offset}


@require_http_methods(["POST"])
@_control
def jssdk_verify_endpoint(request: HttpRequest) -> dict[str, Any]:
    """POST {appId, url, timestamp, nonceStr, signature}: would WeChat's browser accept this
    ``wx.config`` on the page at ``url``? (What the stand-in of jweixin.js asks.)"""
    data = _control_body(request)
    return tickets.sandbox_jssdk_verify(
        appid=str(data.get("appId", "")),
        url=str(data.get("url", "")),
        timestamp=data.get("timestamp"),
        nonce_str=str(data.get("nonceStr", "")),
        signature=str(data.get("signature", "")),
    )


@require_GET
def jweixin_stand_in(request: HttpRequest) -> HttpResponse:
    """The sandbox's stand-in for WeChat's jweixin.js: ``wx.config`` asks the sandbox to verify
    the signature, and the share data set by the page is kept in ``window.wxSandbox``."""
    response = render(
        request,
        "sandbox_wechat/jweixin.js",
        {"verify_url": request.build_absolute_uri("_jssdk_verify")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def menu_page(request: HttpRequest, appid: str) -> HttpResponse:
    """What a follower of the account sees at the bottom of the chat: its custom menu."""
    account = selectors.account_get(appid)
    if account is None:
        raise Http404("no such sandbox account")
    menu = menus.menu_get_or_none(account=account)
    return render(request, "sandbox_wechat/menu.html", {"account": account, "menu": menu})


@require_GET
def messages_page(request: HttpRequest, appid: str) -> HttpResponse:
    """The sandbox's message log: what the account sent to followers one by one."""
    account = selectors.account_get(appid)
    if account is None:
        raise Http404("no such sandbox account")
    return render(
        request,
        "sandbox_wechat/messages.html",
        {"account": account, "messages": selectors.message_log(appid)},
    )


OPENID_COOKIE = "sandbox_wechat_openid"


@require_GET
def oauth_authorize(request: HttpRequest) -> HttpResponse:
    """``connect/oauth2/authorize`` (open.weixin.qq.com): silently back to the page with a code,
    or the platform's error page. The simulated follower keeps its openid in a cookie."""
    openid = request.COOKIES.get(OPENID_COOKIE, "")[:64] or oauth.new_openid()
    try:
        target = oauth.oauth_authorize(
            appid=request.GET.get("appid", ""),
            redirect_uri=request.GET.get("redirect_uri", ""),
            response_type=request.GET.get("response_type", ""),
            scope=request.GET.get("scope", ""),
            state=request.GET.get("state", ""),
            openid=openid,
        )
    except SandboxApiError as exc:
        return _platform_page_error("微信授权", "授权失败", exc)
    response = HttpResponseRedirect(target)
    response.set_cookie(OPENID_COOKIE, openid, httponly=True, samesite="Lax")
    return response


def _platform_page_error(title: str, lead: str, exc: SandboxApiError) -> HttpResponse:
    """The platform's own page (shown to the follower, not an API answer) refusing a request."""
    return HttpResponse(
        f"<!doctype html><title>{title}</title><p>{lead}（{exc.errcode}）："
        f"{rules.ERRMSG.get(exc.errcode, 'error')}</p>".encode(),
        status=400,
        content_type="text/html; charset=utf-8",
    )


@platform_api("sns/oauth2/access_token", method="GET", needs_token=False)
def oauth_access_token(request: HttpRequest, account: Account | None) -> dict[str, Any]:
    return oauth.oauth_access_token(
        appid=request.GET.get("appid", ""),
        secret=request.GET.get("secret", ""),
        code=request.GET.get("code", ""),
        grant_type=request.GET.get("grant_type", ""),
    )


@csrf_exempt  # the platform's own page, posted back to itself by the simulated follower
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request: HttpRequest) -> HttpResponse:
    """``mp/subscribemsg?action=get_confirm`` (mp.weixin.qq.com): the page where the follower
    allows (or refuses) one subscription message; then back to ``redirect_url``."""
    query = request.GET
    if request.method == "GET":
        return HttpResponse(
            "<!doctype html><meta charset=utf-8><title>接收消息</title>"
            "<p>该公众号希望向你发送一次消息通知。</p><form method=post>"
            "<button name=answer value=confirm>允许</button> "
            "<button name=answer value=cancel>取消</button></form>".encode(),
            content_type="text/html; charset=utf-8",
        )
    openid = request.COOKIES.get(OPENID_COOKIE, "")[:64] or oauth.new_openid()
    try:
        if query.get("action") != "get_confirm":
            raise SandboxApiError(40035)
        target = subscribe.subscribe_confirm(
            appid=query.get("appid", ""),
            template_id=query.get("template_id", ""),
            scene=query.get("scene", ""),
            redirect_url=query.get("redirect_url", ""),
            reserved=query.get("reserved", ""),
            openid=openid,
            allow=request.POST.get("answer") == "confirm",
        )
    except SandboxApiError as exc:
        return _platform_page_error("接收消息", "出错了", exc)
    response = HttpResponseRedirect(target)
    response.set_cookie(OPENID_COOKIE, openid, httponly=True, samesite="Lax")
    return response
