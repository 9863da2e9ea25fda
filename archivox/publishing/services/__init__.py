"""The publishing desk's writes: composing, screening, review, scheduling, publishing,
deliveries, withdrawal and corrections, the recall of copies quoting a reclassified item, email
subscribers. Every staff change is audited; side
effects run after commit.

One module per stage; this package re-exports their public names, so
``from archivox.publishing.services import post_create`` keeps working. Code inside the app
imports from the stage module. The Beijing-day helpers live in ``archivox.publishing.days`` and
``can_view_posts`` (a read) in ``archivox.publishing.selectors``; they are re-exported here for
old callers."""

from archivox.publishing.days import BEIJING, beijing_day
from archivox.publishing.selectors import can_view_posts
from archivox.publishing.services.composing import (
    CONTENT_FIELDS,
    EDITABLE,
    IMAGE_FORMATS,
    post_create,
    post_delete,
    post_set_cover,
    post_update,
    sniff_image,
)
from archivox.publishing.services.cover_crops import COVER_RATIOS, post_set_cover_crop
from archivox.publishing.services.deliveries import (
    BACKOFF_SECONDS,
    LOST_PENDING,
    MAX_ATTEMPTS,
    STALE_SENDING,
    deliveries_resume,
    delivery_context,
    delivery_retry,
    delivery_run,
)
from archivox.publishing.services.desk import (
    PublishingError,
    desk_settings_update,
    notice_mark_read,
)
from archivox.publishing.services.publish import (
    post_publish_now,
    post_publish_queue,
    post_publish_queued,
    posts_publish_due,
    posts_publish_queue,
)
from archivox.publishing.services.recall import (
    recall_copies_sync,
    recall_copy_run,
    recall_copy_withdraw,
    recalls_detect,
    recalls_sweep,
)
from archivox.publishing.services.rendering import archive_channels, post_render
from archivox.publishing.services.review import (
    post_approve,
    post_comment,
    post_request_changes,
)
from archivox.publishing.services.scheduling import (
    mass_send_used,
    post_schedule,
    post_unschedule,
)
from archivox.publishing.services.screening import (
    Screening,
    ScreeningFinding,
    post_screen,
    post_submit,
    screening_fields,
    screening_override,
)
from archivox.publishing.services.subscribers import (
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
)
from archivox.publishing.services.withdrawal import post_correct, post_withdraw

__all__ = [
    "BACKOFF_SECONDS",
    "BEIJING",
    "CONTENT_FIELDS",
    "COVER_RATIOS",
    "EDITABLE",
    "IMAGE_FORMATS",
    "LOST_PENDING",
    "MAX_ATTEMPTS",
    "STALE_SENDING",
    "PublishingError",
    "Screening",
    "ScreeningFinding",
    "archive_channels",
    "beijing_day",
    "can_view_posts",
    "deliveries_resume",
    "delivery_context",
    "delivery_retry",
    "delivery_run",
    "desk_settings_update",
    "mass_send_used",
    "notice_mark_read",
    "post_approve",
    "post_comment",
    "post_correct",
    "post_create",
    "post_delete",
    "post_publish_now",
    "post_publish_queue",
    "post_publish_queued",
    "post_render",
    "post_request_changes",
    "post_schedule",
    "post_screen",
    "post_set_cover",
    "post_set_cover_crop",
    "post_submit",
    "post_unschedule",
    "post_update",
    "post_withdraw",
    "posts_publish_due",
    "posts_publish_queue",
    "recall_copies_sync",
    "recall_copy_run",
    "recall_copy_withdraw",
    "recalls_detect",
    "recalls_sweep",
    "screening_fields",
    "screening_override",
    "sniff_image",
    "subscriber_confirm",
    "subscriber_subscribe",
    "subscriber_unsubscribe",
]
