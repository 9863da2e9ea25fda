from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def question_state(question, values: dict, errors: dict) -> dict[str, Any]:
    """What the form shows again for one question after a refused submission."""
    value = values.get(str(question.pk), "") if values else ""
    chosen = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return {
        "error": (errors or {}).get(f"q{question.pk}", ""),
        "chosen": chosen if value not in ("", None) else [],
        "text": value if isinstance(value, str) else "",
    }
