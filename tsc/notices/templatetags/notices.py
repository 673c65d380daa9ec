from django import template

register = template.Library()


@register.inclusion_tag("notices/_banner.html")
def announcements():
    """The announcements shown today (Welcome page and Main Menu)."""
    from tsc.notices.services import current

    return {"announcements": list(current()[:5])}
