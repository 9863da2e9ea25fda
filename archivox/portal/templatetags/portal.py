from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local_name(obj) -> str:
    """The name to show in the current language: English when asked and known, else Chinese."""
    english = getattr(obj, "name", "") or getattr(obj, "title_en", "")
    chinese = getattr(obj, "name_zh", "") or getattr(obj, "title", "")
    if (get_language() or "").startswith("en"):
        return english or chinese
    return chinese or english
