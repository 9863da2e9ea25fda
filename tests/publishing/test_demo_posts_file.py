"""The demo posts' data file (data/demo/publishing/posts.yaml): a malformed post is refused with
the file and the post named, before anything is published."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archivox.publishing.demo import DemoPostsFileError, read_demo_posts
from archivox.publishing.models import Post

GOOD = """\
archive: nanjing
author: 南京市档案馆
review_comment: 可以发布。
posts:
  - title: 档案里的中山陵
    column: 南京珍档推荐
    search: 中山陵
    topics: [南京民国建筑]
    body_html: <p>中山陵的设计竞赛与施工过程留下了大量档案。</p>
"""


def test_the_shipped_posts_read_cleanly():
    demo = read_demo_posts()
    assert demo.archive == "nanjing" and len(demo.posts) == 2
    assert demo.posts[0]["title"] == "白崇禧公馆：大悲巷里的民国建筑"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    search: 中山陵\n", "", "post '档案里的中山陵': 'search' is missing"),
        ("topics: [南京民国建筑]", "topics: 南京民国建筑", "'topics' must be a list of texts"),
        ("    column:", "    colum:", "post #1: unknown key 'colum'"),
        ("author: 南京市档案馆\n", "", "top level: 'author' is missing"),
    ],
)
def test_a_malformed_posts_file_is_refused_naming_the_post(tmp_path, old, new, message):
    path = tmp_path / "posts.yaml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(DemoPostsFileError) as caught:
        read_demo_posts(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


@pytest.mark.django_db
def test_the_command_reports_the_bad_file_and_publishes_nothing(tmp_path, settings):
    settings.DEMO_DATA_DIR = tmp_path
    (tmp_path / "publishing").mkdir()
    (tmp_path / "publishing" / "posts.yaml").write_text(GOOD.replace("title:", "titel:"), "utf-8")
    with pytest.raises(CommandError, match=r"posts.yaml: post #1: unknown key 'titel'"):
        call_command("load_demo_posts", stdout=StringIO())
    assert not Post.objects.exists()
