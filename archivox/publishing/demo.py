"""Demo posts: two original posts of Nanjing drawn from its demo catalog, written by the demo
archivist, approved by the demo reviewer and published to the portal and the feeds (the other
channels need the sandboxes running, so the demo leaves them to the staff trying the desk).

The posts are in ``data/demo/publishing/posts.yaml``; this module reads and checks that file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from archivox.catalog.selectors import description_list_public
from archivox.core.demo_data import DemoDataError, Entry, demo_data_dir, read_demo_yaml
from archivox.core.models import Archive, User
from archivox.publishing.models import Post
from archivox.publishing.services.composing import post_create
from archivox.publishing.services.publish import post_publish_now
from archivox.publishing.services.review import post_approve
from archivox.publishing.services.screening import post_submit

FILE_KEYS = ("archive", "author", "review_comment", "posts")
POST_KEYS = ("title", "column", "digest", "search", "topics", "body_html")


class DemoPostsError(Exception):
    pass


class DemoPostsFileError(DemoPostsError, DemoDataError):
    """data/demo/publishing/posts.yaml is missing, not YAML or holds a malformed post."""


@dataclasses.dataclass(frozen=True)
class DemoPosts:
    archive: str
    author: str
    review_comment: str
    # Each post: the fields post_create takes, plus "search" (the catalog items to quote).
    posts: list[dict[str, object]]


def demo_posts_path() -> Path:
    return demo_data_dir() / "publishing" / "posts.yaml"


def read_demo_posts(path: Path | None = None) -> DemoPosts:
    """The demo posts file, checked; a DemoPostsFileError names the file and the post."""
    path = demo_posts_path() if path is None else Path(path)
    try:
        top = Entry(read_demo_yaml(path), path=path, where="top level", keys=FILE_KEYS)
        posts = []
        for number, raw in enumerate(top.entries("posts", required=True), start=1):
            entry = Entry(raw, path=path, where=f"post #{number}", keys=POST_KEYS)
            entry.where = f"post {entry.text('title', required=True)!r}"
            posts.append(
                {
                    "title": entry.text("title", required=True),
                    "column": entry.text("column"),
                    "digest": entry.text("digest"),
                    "body_html": entry.text("body_html", required=True),
                    "topics": entry.texts("topics"),
                    "search": entry.text("search", required=True),
                }
            )
        return DemoPosts(
            archive=top.text("archive", required=True),
            author=top.text("author", required=True),
            review_comment=top.text("review_comment", required=True),
            posts=posts,
        )
    except DemoDataError as exc:
        raise DemoPostsFileError(str(exc)) from exc


def demo_posts_load() -> list[str]:
    """Publish the demo posts once; what was done, a line each."""
    demo = read_demo_posts()
    archive = Archive.objects.filter(slug=demo.archive, is_demo=True).first()
    writer = User.objects.filter(username="demo").first()
    reviewer = User.objects.filter(username="demo-reviewer").first()
    if archive is None or writer is None or reviewer is None:
        raise DemoPostsError(
            "load the demo archives and staff first: load_paper_survey, load_demo_catalog, "
            "create_demo_staff"
        )
    lines = []
    for spec in demo.posts:
        if Post.objects.filter(archive=archive, title=spec["title"]).exists():
            lines.append(f"{archive.slug}: post “{spec['title']}” already there")
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
            author=demo.author,
            channels=["portal", "feed"],
            **values,
        )
        post_submit(actor=writer, post=post)
        post_approve(actor=reviewer, post=post, comment=demo.review_comment)
        post_publish_now(actor=writer, post=post)
        lines.append(f"{archive.slug}: post “{post.title}” published to the portal and feeds")
    return lines
