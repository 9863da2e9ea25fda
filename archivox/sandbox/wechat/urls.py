"""The WeChat sandbox, at /sandbox/wechat/: the platform's API paths (as under
https://api.weixin.qq.com/), article pages and images, and the sandbox's controls."""

from django.urls import path

from archivox.sandbox.wechat import views

app_name = "wechat"
urlpatterns = [
    path("cgi-bin/token", views.token, name="token"),
    path("cgi-bin/media/uploadimg", views.media_uploadimg, name="media-uploadimg"),
    path("cgi-bin/material/add_material", views.material_add, name="material-add"),
    path("cgi-bin/draft/add", views.draft_add, name="draft-add"),
    path("cgi-bin/draft/get", views.draft_get, name="draft-get"),
    path("cgi-bin/freepublish/submit", views.freepublish_submit, name="freepublish-submit"),
    path("cgi-bin/freepublish/get", views.freepublish_get, name="freepublish-get"),
    path("cgi-bin/freepublish/batchget", views.freepublish_batchget, name="freepublish-batchget"),
    path("cgi-bin/freepublish/delete", views.freepublish_delete, name="freepublish-delete"),
    path("cgi-bin/message/mass/sendall", views.mass_sendall, name="mass-sendall"),
    path("cgi-bin/message/mass/preview", views.mass_preview, name="mass-preview"),
    path("cgi-bin/message/mass/get", views.mass_get, name="mass-get"),
    path("cgi-bin/message/custom/send", views.custom_send, name="custom-send"),
    path("cgi-bin/message/template/send", views.template_send, name="template-send"),
    path(
        "cgi-bin/message/template/subscribe",
        views.template_subscribe,
        name="template-subscribe",
    ),
    path("mp/subscribemsg", views.subscribe_confirm, name="subscribe-confirm"),
    path("cgi-bin/menu/create", views.menu_create, name="menu-create"),
    path("cgi-bin/menu/get", views.menu_get, name="menu-get"),
    path("cgi-bin/menu/delete", views.menu_delete, name="menu-delete"),
    path("cgi-bin/ticket/getticket", views.ticket_getticket, name="ticket-getticket"),
    path("connect/oauth2/authorize", views.oauth_authorize, name="oauth-authorize"),
    path("sns/oauth2/access_token", views.oauth_access_token, name="oauth-access-token"),
    path("cgi-bin/user/info", views.user_info, name="user-info"),
    path("datacube/getarticlesummary", views.datacube_articles, name="datacube-articles"),
    path("datacube/getusersummary", views.datacube_users, name="datacube-users"),
    path("mp/s/<str:slug>", views.article, name="article"),
    path("mmbiz/<str:media_id>", views.media, name="media"),
    path("_faults", views.faults_endpoint, name="faults"),
    path("_followers", views.followers_endpoint, name="followers"),
    path("_clock", views.clock_endpoint, name="clock"),
    path("_jssdk_verify", views.jssdk_verify_endpoint, name="jssdk-verify"),
    path("_menu/<str:appid>/", views.menu_page, name="menu-page"),
    path("_messages/<str:appid>/", views.messages_page, name="messages-page"),
    path("_jweixin.js", views.jweixin_stand_in, name="jweixin"),
]
