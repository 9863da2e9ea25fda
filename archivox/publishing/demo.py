"""Demo posts: two original posts of Nanjing drawn from its demo catalog, written by the demo
archivist, approved by the demo reviewer and published to the portal and the feeds (the other
channels need the sandboxes running, so the demo leaves them to the staff trying the desk)."""

from __future__ import annotations

from archivox.catalog.selectors import description_list_public
from archivox.core.models import Archive, User
from archivox.publishing.models import Post
from archivox.publishing.services.composing import post_create
from archivox.publishing.services.publish import post_publish_now
from archivox.publishing.services.review import post_approve
from archivox.publishing.services.screening import post_submit

DEMO_POSTS = [
    {
        "title": "白崇禧公馆：大悲巷里的民国建筑",
        "column": "南京珍档推荐",
        "digest": "从馆藏修缮档案看一座民国公馆的前世今生。",
        "body_html": "<p>大悲巷雍园里的这座公馆，是南京民国建筑群的缩影。馆藏图纸与修缮报告"
        "记录了它的建造与保护。</p><p>点击下方馆藏条目，查看档案原件的著录。</p>",
        "topics": ["南京民国建筑"],
        "search": "白崇禧",
    },
    {
        "title": "档案里的中山陵",
        "column": "南京珍档推荐",
        "digest": "设计竞赛、施工与落成：中山陵建设档案选介。",
        "body_html": "<p>中山陵的设计竞赛与施工过程留下了大量档案。本期推荐几件馆藏，"
        "带您走近这座近代建筑的诞生。</p>",
        "topics": ["南京民国建筑"],
        "search": "中山陵",
    },
]


class DemoPostsError(Exception):
    pass


def demo_posts_load() -> list[str]:
    """Publish the demo posts once; what was done, a line each."""
    archive = Archive.objects.filter(slug="nanjing", is_demo=True).first()
    writer = User.objects.filter(username="demo").first()
    reviewer = User.objects.filter(username="demo-reviewer").first()
    if archive is None or writer is None or reviewer is None:
        raise DemoPostsError(
            "load the demo archives and staff first: load_paper_survey, load_demo_catalog, "
            "create_demo_staff"
        )
    lines = []
    for spec in DEMO_POSTS:
        if Post.objects.filter(archive=archive, title=spec["title"]).exists():
            lines.append(f"nanjing: post “{spec['title']}” already there")
            continue
        items = [
            {"description": description, "use_image": True, "quote": True}
            for description in description_list_public(archive=archive)
            .filter(title__contains=spec["search"])
            .order_by("reference_code")[:2]
        ]
        values = {key: value for key, value in spec.items() if key not in {"title", "search"}}
        post = post_create(
            actor=writer,
            archive=archive,
            title=spec["title"],
            items=items,
            author="南京市档案馆",
            channels=["portal", "feed"],
            **values,
        )
        post_submit(actor=writer, post=post)
        post_approve(actor=reviewer, post=post, comment="可以发布。")
        post_publish_now(actor=writer, post=post)
        lines.append(f"nanjing: post “{post.title}” published to the portal and feeds")
    return lines
