"""Auto-reply rules: validating them (regular expressions included) and matching a message.

Python's ``re`` has no timeout, and the ``regex`` package (which has one) is not installed, so a
pattern is made safe before it is saved instead: at most ``MAX_PATTERN_LENGTH`` characters, no
backreferences, no look-arounds, no repetition inside a repetition (``(a+)+``, ``(a|aa)*``, the
shapes of catastrophic backtracking), bounded counts, and it only ever runs on the first
``MAX_MATCH_INPUT`` characters of a message. What remains backtracks at most polynomially on
short input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

try:  # Python 3.11+
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

if TYPE_CHECKING:
    from archivox.consultations.models import AutoReplyRule

MAX_PATTERN_LENGTH = 200
MAX_REPEAT_COUNT = 100
MAX_MATCH_INPUT = 500
MAX_HITS = 8  # WeChat's historical limit of articles in one news message

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)
_FORBIDDEN = {
    sre_constants.GROUPREF: "backreferences",
    sre_constants.GROUPREF_EXISTS: "conditional groups",
    sre_constants.ASSERT: "look-ahead and look-behind",
    sre_constants.ASSERT_NOT: "look-ahead and look-behind",
}


class UnsafePattern(ValueError):
    pass


def _walk(items: Any, inside_repeat: bool) -> None:
    for op, arg in items:
        if op in _FORBIDDEN:
            raise UnsafePattern(_FORBIDDEN[op])
        if op in _REPEATS:
            low, high, sub = arg
            if high is not sre_constants.MAXREPEAT and high > MAX_REPEAT_COUNT:
                raise UnsafePattern(f"a count above {MAX_REPEAT_COUNT}")
            if low > MAX_REPEAT_COUNT:
                raise UnsafePattern(f"a count above {MAX_REPEAT_COUNT}")
            if inside_repeat and (high is sre_constants.MAXREPEAT or high > 1):
                raise UnsafePattern("a repetition inside a repetition (e.g. (a+)+)")
            _walk(sub, inside_repeat or high is sre_constants.MAXREPEAT or high > 1)
        elif op == sre_constants.SUBPATTERN:
            _walk(arg[-1], inside_repeat)
        elif op == sre_constants.BRANCH:
            if inside_repeat:
                # (x|xx)* backtracks exponentially; single characters became sets already.
                raise UnsafePattern("an alternation inside a repetition (e.g. (x|xx)*)")
            for branch in arg[1]:
                _walk(branch, inside_repeat)
        elif op == getattr(sre_constants, "ATOMIC_GROUP", object()):
            _walk(arg, inside_repeat)


def compile_safe(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` or raise ``ValidationError`` saying why it is refused."""
    if not pattern:
        raise ValidationError({"pattern": _("A regular expression is required.")})
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValidationError(
            {
                "pattern": _("The pattern is longer than %(n)d characters.")
                % {"n": MAX_PATTERN_LENGTH}
            }
        )
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
        _walk(parsed, False)
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValidationError(
            {"pattern": _("This is not a valid regular expression: %(error)s") % {"error": exc}}
        ) from exc
    except UnsafePattern as exc:
        raise ValidationError(
            {
                "pattern": _(
                    "This pattern could take too long on some messages and is refused "
                    "(%(reason)s is not allowed)."
                )
                % {"reason": exc}
            }
        ) from exc
    except RecursionError as exc:
        raise ValidationError({"pattern": _("The pattern is nested too deeply.")}) from exc


def rule_check(rule: AutoReplyRule) -> None:
    """``AutoReplyRule.clean``: the pattern fits the match, the reply has what its kind needs."""
    errors: dict[str, str] = {}
    match, kind = rule.match, rule.kind
    if match == "regex":
        compile_safe(rule.pattern)
    elif match in {"exact", "contains", "click"} and not rule.pattern.strip():
        errors["pattern"] = _("A keyword (or, for a menu click, the event key) is required.")
    if match == "click" and kind == "catalog":
        errors["kind"] = _("A menu click has no words to search the catalog with.")
    if kind == "text" and not rule.text.strip():
        errors["text"] = _("A text reply needs its text.")
    if kind in {"link", "news"}:
        if not rule.title.strip():
            errors["title"] = _("A link or news card needs a title.")
        if not rule.url:
            errors["url"] = _("A link or news card needs its address.")
    if kind == "catalog" and not 1 <= rule.max_hits <= MAX_HITS:
        errors["max_hits"] = _("Between 1 and %(n)d catalog hits.") % {"n": MAX_HITS}
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to match, detached from the database (cached per process)."""

    pk: int
    match: str
    pattern: str
    regex: re.Pattern[str] | None
    kind: str
    text: str
    title: str
    description: str
    url: str
    picurl: str
    max_hits: int

    @classmethod
    def of(cls, rule: AutoReplyRule) -> CompiledRule:
        regex = None
        if rule.match == "regex":
            regex = re.compile(rule.pattern, re.IGNORECASE)
        return cls(
            pk=rule.pk,
            match=rule.match,
            pattern=rule.pattern.strip() if rule.match != "regex" else rule.pattern,
            regex=regex,
            kind=rule.kind,
            text=rule.text,
            title=rule.title,
            description=rule.description,
            url=rule.url,
            picurl=rule.picurl,
            max_hits=rule.max_hits,
        )

    def matches(self, text: str) -> str | None:
        """None when the rule does not apply, else the words to search the catalog with."""
        text = text.strip()[:MAX_MATCH_INPUT]
        if not text:
            return None
        if self.match == "exact":
            return text if text.casefold() == self.pattern.casefold() else None
        if self.match == "contains":
            if self.pattern.casefold() not in text.casefold():
                return None
            rest = re.sub(re.escape(self.pattern), " ", text, flags=re.IGNORECASE).strip()
            return rest or text
        if self.match == "regex" and self.regex is not None:
            found = self.regex.search(text)
            if found is None:
                return None
            groups = [group for group in found.groups() if group]
            return groups[0].strip() if groups else text
        if self.match == "any":
            return text
        return None
