"""Start-up checks: every channel in the registry loads and keeps the contract, so a
misconfigured channel fails loudly at start, not at the first send."""

from __future__ import annotations

from django.core.checks import Error, register

REQUIRED = ("render", "send", "find_sent", "withdraw", "withdrawal")


@register()
def channels_check(app_configs=None, **kwargs) -> list[Error]:
    from archivox.publishing.channels import CHANNEL_PATHS, channel_get

    errors: list[Error] = []
    for name, path in CHANNEL_PATHS.items():
        try:
            channel = channel_get(name)
        except Exception as exc:  # ImportError, AttributeError, an error in the module
            errors.append(
                Error(f"channel {name!r} ({path}) does not load: {exc}", id="publishing.E001")
            )
            continue
        missing = [method for method in REQUIRED if not callable(getattr(channel, method, None))]
        if missing or getattr(channel, "name", None) != name:
            errors.append(
                Error(
                    f"channel {name!r} ({path}) breaks the contract: "
                    f"missing {', '.join(missing) or 'nothing'}, name {channel.name!r}",
                    id="publishing.E002",
                )
            )
    return errors
