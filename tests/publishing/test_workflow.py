"""Composing, screening and review: the desk's rules, through the real services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from archivox.core.models import AuditEntry
from archivox.core.screening import sensitive_word_add
from archivox.publishing import services
from archivox.publishing.models import Post, PostRevision
from tests.publishing.conftest import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def test_rich_text_with_a_script_is_refused_naming_the_problem_and_nothing_is_saved(
    make_post,
):
    with pytest.raises(ValidationError) as raised:
        make_post(body_html='<p>hi</p><script>alert("x")</script>')
    assert "<script> elements are not allowed" in str(raised.value)
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<style>p{color:red}</style><p>x</p>", "<style> elements"),
        ('<p style="color:red">x</p>', "inline style"),
        ('<img src="x.png" onerror="alert(1)">', "event handler"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt&#58;alert(1)">x</a>', "javascript:"),
        ('<a href="data:text/html,hi">x</a>', "data:"),
    ],
)
def test_injection_and_unsafe_link_schemes_are_refused_with_a_clear_message(
    make_post, html, problem
):
    with pytest.raises(ValidationError) as raised:
        make_post(body_html=html)
    assert problem in str(raised.value)


def test_rich_text_is_sanitised_with_nh3_on_save(make_post):
    post = make_post(
        body_html='<p>a <marquee>b</marquee> <a href="https://example.org/x">link</a>'
        ' <a href="mailto:a@b.cn">mail</a></p>'
    )
    assert "<marquee>" not in post.body_html
    assert 'href="https://example.org/x"' in post.body_html
    assert 'rel="noopener noreferrer"' in post.body_html
    assert "mailto:a@b.cn" in post.body_html


def test_every_save_keeps_a_revision(make_post, archivist):
    post = make_post()
    services.post_update(actor=archivist, post=post, title="新标题")
    services.post_update(actor=archivist, post=post, body_html="<p>第三版</p>")
    revisions = PostRevision.objects.filter(post=post).order_by("number")
    assert [r.number for r in revisions] == [1, 2, 3]
    assert revisions[0].content["title"] == "城墙里的南京"
    assert revisions[1].content["title"] == "新标题"
    assert revisions[2].content["body_html"] == "<p>第三版</p>"


def test_cover_image_is_checked_by_content_and_size(make_post, archivist, settings):
    post = make_post()
    with pytest.raises(ValidationError, match="not a supported image"):
        services.post_set_cover(actor=archivist, post=post, content=b"GIF89a but not really")
    with pytest.raises(ValidationError, match="not a supported image"):
        services.post_set_cover(actor=archivist, post=post, content=b"<?php echo 1; ?>")
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is 1000 bytes"):
        services.post_set_cover(actor=archivist, post=post, content=jpeg_bytes((800, 800)))
    post.refresh_from_db()
    assert not post.cover
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    post = services.post_set_cover(actor=archivist, post=post, content=jpeg_bytes())
    assert post.cover_media_type == "image/jpeg"
    assert post.cover.name.endswith(".jpg")


def test_webp_cover_is_refused_as_an_unsupported_format(make_post, archivist):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "WEBP")
    with pytest.raises(ValidationError, match="WEBP images are not accepted"):
        services.post_set_cover(actor=archivist, post=make_post(), content=out.getvalue())


def test_a_post_drawing_on_a_confidential_item_cannot_be_submitted(make_post, archivist, items):
    post = make_post(items=[{"description": items["confidential"]}])
    with pytest.raises(ValidationError) as raised:
        services.post_submit(actor=archivist, post=post)
    assert "NJ-1-3 is confidential" in str(raised.value)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_items_under_closure_and_restricted_images_block_submission(make_post, archivist, items):
    closed = make_post(items=[{"description": items["closed"]}])
    with pytest.raises(ValidationError, match="NJ-1-4 is closed until"):
        services.post_submit(actor=archivist, post=closed)
    restricted_image = make_post(items=[{"description": items["restricted"], "use_image": True}])
    with pytest.raises(ValidationError, match="NJ-1-2 is restricted: its images"):
        services.post_submit(actor=archivist, post=restricted_image)
    # Its description alone may be published.
    described = make_post(items=[{"description": items["restricted"], "quote": True}])
    services.post_submit(actor=archivist, post=described)


def test_personal_data_warns_with_exact_spans_and_needs_a_reviewer_override_with_a_reason(
    make_post, archivist, reviewer
):
    post = make_post(body_html="<p>联系人<b>电话</b>13812345678，欢迎来馆。</p>")
    screening = services.post_submit(actor=archivist, post=post)
    [finding] = [f for f in screening.warnings if f.kind == "mobile"]
    text = services.screening_fields(post)["body"]
    assert text[finding.start : finding.end] == "13812345678"
    assert finding.field == "body"
    with pytest.raises(ValidationError, match="warning not overridden"):
        services.post_approve(actor=reviewer, post=post)
    with pytest.raises(ValidationError, match="needs a reason"):
        services.screening_override(actor=reviewer, post=post, finding_key=finding.key, reason=" ")
    with pytest.raises(PermissionDenied):
        services.screening_override(
            actor=archivist, post=post, finding_key=finding.key, reason="mine"
        )
    services.screening_override(
        actor=reviewer, post=post, finding_key=finding.key, reason="the reading room's number"
    )
    post = services.post_approve(actor=reviewer, post=post)
    assert post.status == Post.Status.APPROVED
    assert AuditEntry.objects.filter(action="post.screening_override").exists()


def test_a_blocking_sensitive_word_stops_submission_and_cannot_be_overridden(
    make_post, archive, archivist, reviewer
):
    sensitive_word_add(actor=None, archive=archive, word="绝密", severity="block")
    post = make_post(title="绝密档案首次公开")
    with pytest.raises(ValidationError, match="绝密"):
        services.post_submit(actor=archivist, post=post)
    finding = services.post_screen(post=post).findings[0]
    with pytest.raises(ValidationError, match="blocks cannot be overridden"):
        services.screening_override(
            actor=reviewer, post=post, finding_key=finding.key, reason="please"
        )


def test_screening_reads_the_text_not_the_tags(make_post, archive, archivist):
    sensitive_word_add(actor=None, archive=archive, word="strong", severity="block")
    post = make_post(body_html="<p><strong>城墙</strong></p>")
    services.post_submit(actor=archivist, post=post)


def test_an_archivist_cannot_approve_their_own_post(make_post, archivist_reviewer, reviewer):
    post = make_post(actor=archivist_reviewer)
    services.post_submit(actor=archivist_reviewer, post=post)
    with pytest.raises(ValidationError, match="cannot approve your own post"):
        services.post_approve(actor=archivist_reviewer, post=post)
    services.post_approve(actor=reviewer, post=post)


def test_only_reviewers_of_that_archive_approve(make_post, archivist):
    from archivox.core.models import Membership, Role
    from tests.factories import ArchiveFactory, UserFactory

    elsewhere = UserFactory(username="suzhou-reviewer")
    Membership.objects.create(
        user=elsewhere, archive=ArchiveFactory(slug="suzhou"), role=Role.REVIEWER
    )
    colleague = UserFactory(username="colleague")
    Membership.objects.create(
        user=colleague, archive=archivist.memberships.first().archive, role=Role.ARCHIVIST
    )
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    with pytest.raises(PermissionDenied):
        services.post_approve(actor=elsewhere, post=post)
    with pytest.raises(PermissionDenied):
        services.post_approve(actor=colleague, post=post)


def test_every_transition_is_in_the_audit_log(approved_post, archivist, reviewer):
    post = approved_post()
    when = timezone.now() + datetime.timedelta(days=1)
    services.post_schedule(actor=archivist, post=post, when=when)
    services.post_request_changes(actor=reviewer, post=post, comment="换一张图")
    actions = list(
        AuditEntry.objects.filter(object_id=str(post.pk), object_type="publishing.post")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "post.create",
        "post.submit",
        "post.approve",
        "post.schedule",
        "post.request_changes",
    ]


def test_changes_requested_need_a_comment_and_send_the_post_back_to_its_author(
    make_post, archivist, reviewer
):
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    with pytest.raises(ValidationError, match="say what should change"):
        services.post_request_changes(actor=reviewer, post=post, comment="")
    services.post_request_changes(actor=reviewer, post=post, comment="标题太长")
    services.post_update(actor=archivist, post=post, title="短标题")
    services.post_submit(actor=archivist, post=post)
    assert post.comments.get().body == "标题太长"


def test_a_schedule_in_the_past_is_refused(approved_post, archivist):
    post = approved_post()
    with pytest.raises(ValidationError, match="is in the past"):
        services.post_schedule(
            actor=archivist, post=post, when=timezone.now() - datetime.timedelta(minutes=5)
        )
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_a_submitted_post_cannot_be_edited(make_post, archivist):
    post = make_post()
    services.post_submit(actor=archivist, post=post)
    with pytest.raises(ValidationError, match="cannot be edited"):
        services.post_update(actor=archivist, post=post, title="x")


def test_a_forward_must_name_its_source(make_post, archivist):
    post = make_post(origin="forward")
    with pytest.raises(ValidationError, match="must name its source"):
        services.post_submit(actor=archivist, post=post)


def test_cover_upload_png_is_kept(make_post, archivist):
    post = services.post_set_cover(actor=archivist, post=make_post(), content=png_bytes())
    assert post.cover_media_type == "image/png"
