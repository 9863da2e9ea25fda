"""``/sandbox/weibo/``: the same paths as ``https://api.weibo.com``, plus ``_simulate/`` and
``_pic/``."""

from django.urls import path, re_path

from archivox.sandbox.weibo import views

app_name = "weibo"
urlpatterns = [
    path("2/statuses/share.json", views.statuses_share, name="statuses_share"),
    path("2/statuses/destroy.json", views.statuses_destroy, name="statuses_destroy"),
    path("2/statuses/show.json", views.statuses_show, name="statuses_show"),
    path("2/short_url/expand.json", views.short_url_expand, name="short_url_expand"),
    path("2/statuses/user_timeline.json", views.statuses_user_timeline, name="user_timeline"),
    path("2/statuses/mentions.json", views.statuses_mentions, name="statuses_mentions"),
    path("2/comments/show.json", views.comments_show, name="comments_show"),
    path("2/comments/create.json", views.comments_create, name="comments_create"),
    path("2/comments/reply.json", views.comments_reply, name="comments_reply"),
    path("2/comments/to_me.json", views.comments_to_me, name="comments_to_me"),
    path("2/comments/mentions.json", views.comments_mentions, name="comments_mentions"),
    path(
        "2/account/rate_limit_status.json",
        views.account_rate_limit_status,
        name="rate_limit_status",
    ),
    re_path(r"^2/(?P<rest>.*)$", views.not_found, name="not_found"),
    path("_simulate/comment", views.simulate_comment, name="simulate_comment"),
    path("_simulate/mention", views.simulate_mention, name="simulate_mention"),
    path("_simulate/fault", views.simulate_fault, name="simulate_fault"),
    path("_simulate/limits", views.simulate_limits, name="simulate_limits"),
    path("_simulate/expire_token", views.simulate_expire_token, name="simulate_expire_token"),
    re_path(r"^_pic/(?P<status_id>\d+)\.(?P<extension>jpg|png|gif)$", views.pic, name="pic"),
]
