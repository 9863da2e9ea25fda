from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archivox.publishing.models import Delivery, Post

pytestmark = pytest.mark.django_db


def test_the_demo_posts_are_published_once_and_show_on_the_portal(
    client, django_capture_on_commit_callbacks
):
    for command in ("load_paper_survey", "load_demo_catalog", "create_demo_staff"):
        call_command(command, stdout=StringIO())
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_posts", stdout=out)
    assert out.getvalue().count("published") == 2
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    call_command("load_demo_posts", stdout=out)
    assert Post.objects.count() == 2
    page = client.get("/archives/nanjing/posts/").content.decode()
    assert "白崇禧公馆：大悲巷里的民国建筑" in page


def test_the_demo_posts_need_the_demo_archives_first():
    with pytest.raises(CommandError, match="load the demo archives"):
        call_command("load_demo_posts", stdout=StringIO())
