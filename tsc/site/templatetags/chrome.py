from django import template

from tsc.site import chrome as parts

register = template.Library()


@register.simple_tag(name="chrome")
def chrome(part: str) -> str:
    """{% chrome "head" %}: a part of every page, rendered once (tsc/site/chrome.py)."""
    return parts.chrome(part)
