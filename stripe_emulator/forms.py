"""Stripe's v1 request encoding: `a[b][0][c]=v` form fields into nested dicts and lists of strings."""

from urllib.parse import parse_qsl


class FormError(ValueError):
    """A field whose brackets contradict another one (`a=1&a[b]=2`): Stripe answers 400."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


def decode(query):
    root = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        name, _, rest = key.partition("[")
        path = [name, *rest[:-1].split("][")] if rest.endswith("]") else [key]
        node = root
        for segment in path[:-1]:
            node = node.setdefault(segment, {})
            if not isinstance(node, dict):
                raise FormError(key)
        last = path[-1]
        if last == "":
            # `expand[]=x`: the older way to send a list, still accepted by Stripe.
            last = str(len(node))
        if isinstance(node.get(last), dict):
            raise FormError(key)
        node[last] = value
    return _lists(root)


def _lists(node, name=None):
    """Dicts keyed 0..n become lists, except metadata, whose keys are the caller's own strings."""
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value, key) for key, value in node.items()}
    if name != "metadata" and node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node
