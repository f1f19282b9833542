"""Template tags that every app's pages share: `{% load portal_tags %}`."""

from django import template
from django.template.base import token_kwargs

register = template.Library()

SCROLL_TABLE = "includes/scroll_table.html"


@register.tag
def scrolltable(parser, token):
    """`{% scrolltable label=… %}<thead>…</tbody>{% endscrolltable %}`: a table that scrolls sideways on a narrow
    screen inside a focusable region, with the cue that it does (includes/scroll_table.html).

    Options: `label` (the region's name) or `labelledby` (the id of the heading that names it), `table_class`,
    `hint=False` where the page shows no cue.
    """
    bits = token.split_contents()
    options = token_kwargs(bits[1:], parser)
    if len(options) != len(bits) - 1:
        raise template.TemplateSyntaxError(f"{bits[0]} takes only key=value options")
    nodelist = parser.parse(("endscrolltable",))
    parser.delete_first_token()
    return ScrollTableNode(nodelist, options)


class ScrollTableNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.options.items()}
        values["table_body"] = self.nodelist.render(context)
        wrapper = context.template.engine.get_template(SCROLL_TABLE)
        with context.push(**values):
            return wrapper.render(context)
