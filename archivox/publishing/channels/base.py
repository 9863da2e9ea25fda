"""The contract between the publishing desk and one channel.

A channel turns a post's content into what it will send (``render``), sends it (``send``), finds
out whether an earlier attempt already reached the platform (``find_sent``: the reconcile step
that makes publishing at-most-once when a worker died between sending and recording), and takes
it back where the platform allows (``withdraw``; ``withdrawal`` says beforehand whether and
how). Channels hold no state of their own and never touch publishing's models: the desk records
deliveries, the channel only talks to the platform.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


class Severity(enum.StrEnum):
    NOTE = "note"  # worth knowing; nothing changes
    CUT = "cut"  # the channel will shorten or drop something (text cut, extra images dropped)
    REFUSE = "refuse"  # the channel would refuse this; the delivery cannot be sent as it is


@dataclass(frozen=True)
class Flag:
    severity: Severity
    code: str  # stable, for tests and the API: "text_too_long", "image_too_large", ...
    message: str  # names the problem, e.g. "Weibo takes 140 characters; 212 given"


@dataclass(frozen=True)
class Image:
    """One image of a post: the cover or a catalog item's image, already read."""

    name: str
    content_type: str
    data: bytes
    caption: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ItemLink:
    """A catalog item the post draws on, and its public portal page (absolute URL)."""

    title: str
    reference_code: str
    url: str


@dataclass(frozen=True)
class PostContent:
    """Everything a channel needs to render one post; built by the desk from a post revision,
    with catalog material obtained only through the access gateway."""

    post_id: int
    archive_slug: str
    archive_name: str
    kind: Literal["article", "short"]
    title: str
    body_html: str = ""  # sanitised (nh3) rich text of an article
    text: str = ""  # the text of a short post (microblog), with #topics# as written
    author: str = ""
    digest: str = ""
    url: str = ""  # absolute URL of the post's page on the portal (the full text)
    source_url: str = ""  # "read the original" link for WeChat; defaults to ``url``
    cover: Image | None = None
    # The editor's crops of the cover by ratio key (services/cover_crops.py): the box as
    # fractions of the cover (x1, y1, x2, y2), and the cut picture.
    cover_boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    cover_crops: dict[str, Image] = field(default_factory=dict)
    images: tuple[Image, ...] = ()
    topics: tuple[str, ...] = ()  # without the # marks
    items: tuple[ItemLink, ...] = ()
    origin: Literal["original", "forward"] = "original"
    forward_source: str = ""
    column: str = ""
    wechat_mode: Literal["publish", "mass_send"] = "publish"
    # Which catalog descriptions this content carries (ids of ``items``) and whose images it
    # shows: not for the channels, for the desk's record of what each copy quoted (the recall).
    catalog_items: tuple[int, ...] = ()
    catalog_images: tuple[int, ...] = ()


@dataclass
class Rendering:
    """What a channel will send for one post, a preview for the console, and what it will cut
    or refuse. ``payload`` is JSON-serialisable and is stored with the delivery."""

    channel: str
    payload: dict[str, Any]
    preview_html: str
    flags: list[Flag] = field(default_factory=list)
    # Set by the desk from the content (``PostContent.catalog_*``): ``{"items": [...],
    # "images": [...]}``, kept on the delivery so a recall knows which copies quote an item.
    catalog: dict[str, list[int]] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return any(flag.severity is Severity.REFUSE for flag in self.flags)


@dataclass(frozen=True)
class SendResult:
    remote_id: str
    url: str = ""
    response: dict[str, Any] = field(default_factory=dict)  # the platform's answer, for the log


class ChannelError(Exception):
    """A send, reconcile or withdraw failed; ``str()`` is the platform's error, readable."""


class TransientChannelError(ChannelError):
    """Worth retrying with back-off: timeouts, 5xx, rate limits, system busy."""


class PermanentChannelError(ChannelError):
    """Retrying cannot help: wrong or expired credentials, content refused, quota for the day
    used (e.g. the one mass send per day). The delivery fails and the author is told."""


class WithdrawRefused(ChannelError):
    """The platform does not let us take it back (or it is gone already); recorded, not retried."""


class AlreadyGone(WithdrawRefused):
    """The platform no longer has it (deleted already, from its own console or by an earlier try
    whose answer was lost): what a withdrawal wanted is true, and nothing more can be done."""


class Withdrawal(enum.StrEnum):
    """How a published copy can be taken back."""

    LOCAL = "local"  # served by us (portal, feeds): hidden at once by our own record
    PLATFORM = "platform"  # a call to the platform, which may fail and be tried again
    IMPOSSIBLE = "impossible"  # cannot be taken back (an email, a mass send in followers' chats)


@dataclass(frozen=True)
class WithdrawPlan:
    kind: Withdrawal
    reason: str = ""  # why not, for IMPOSSIBLE; shown to staff


class Channel(Protocol):
    name: str  # "wechat", "weibo", "portal", "feed", "email"
    needs_account: str | None  # PlatformAccount.platform it sends through, or None (local)
    # Sending only records something in our own database (nothing leaves the installation):
    # the desk sends such a delivery as it makes it, in the publishing transaction.
    in_house: bool

    def render(self, content: PostContent) -> Rendering: ...

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult: ...

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None: ...

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None: ...

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        """How the copy sent as ``remote_id`` can be taken back, without asking the platform
        (the recall shows it before anyone presses a button)."""
        ...
