"""Template filters of the workplace: money, numbers, Russian plurals and months."""

from django import template

from raschet.workplace import words

register = template.Library()


@register.filter
def money(value):
    return words.money(value)


@register.filter
def signed_money(value):
    return words.money(value, sign=True)


@register.filter
def number(value, places=None):
    return words.number(value, None if places in (None, "") else int(places))


@register.filter
def plural(count, forms: str):
    """``{{ n|plural:"период,периода,периодов" }}`` → «12 периодов»."""
    one, few, many = forms.split(",")
    return words.plural(count, one, few, many)


@register.filter
def month(period):
    return words.month_name(period)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def zone_name(code):
    from raschet.tariffs.models import Zone

    return dict(Zone.choices).get(code, code)


@register.filter
def last_day(day):
    """The last day of a half-open range ``[from, to)``: ``to`` minus one day."""
    from datetime import timedelta

    return day - timedelta(days=1) if day else day
