"""Derived indicators: a small, safe expression language as a JSON tree (never eval).

    {"op": "/", "args": [{"ind": "sc_children"}, {"ind": "child_population"}]}
    {"const": 1000}

Operators + - * / take two or more arguments (left to right). A division by zero, or any missing input, gives None
(no figure), never an error and never 0. `references` lists the indicators a tree reads; `find_cycle` refuses an
indicator that refers to itself directly or through others.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

OPS = ("+", "-", "*", "/")
MAX_DEPTH = 20
MAX_NODES = 200
# A stored value has 14 digits before the decimal point (DecimalField(18, 4)): a larger result is no figure.
MAX_RESULT = Decimal(10) ** 13


class ExpressionError(ValueError):
    """An expression that cannot be used; the message is for the administrator, in her language."""


def validate(tree, *, known: set[str] | None = None) -> None:
    """Raise ExpressionError unless `tree` is a well-formed expression (and names only `known` codes, if given)."""
    count = 0

    def walk(node, depth):
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ExpressionError(_("The expression is too long or too deeply nested."))
        if not isinstance(node, dict) or len(node) not in (1, 2):
            raise ExpressionError(_("Each part of the expression must be an operation, an indicator or a number."))
        if "ind" in node and len(node) == 1:
            if not isinstance(node["ind"], str) or not node["ind"]:
                raise ExpressionError(_("An indicator in the expression must be given by its code."))
            if known is not None and node["ind"] not in known:
                raise ExpressionError(_("The expression refers to an unknown indicator: %(code)s.")
                                      % {"code": node["ind"]})
            return
        if "const" in node and len(node) == 1:
            value = node["const"]
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ExpressionError(_("A number in the expression is not a number."))
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ExpressionError(_("A number in the expression is not a number.")) from None
            if not number.is_finite() or (number and not -9 <= number.adjusted() <= 9):
                raise ExpressionError(_("A number in the expression is not a number."))
            return
        if set(node) == {"op", "args"}:
            if node["op"] not in OPS:
                raise ExpressionError(_("Unknown operation %(op)s: use + - * /.") % {"op": node["op"]})
            args = node["args"]
            if not isinstance(args, list) or len(args) < 2:
                raise ExpressionError(_("An operation needs at least two arguments."))
            for arg in args:
                walk(arg, depth + 1)
            return
        raise ExpressionError(_("Each part of the expression must be an operation, an indicator or a number."))

    walk(tree, 0)


def references(tree) -> set[str]:
    """The indicator codes an expression reads."""
    if not isinstance(tree, dict):
        return set()
    if "ind" in tree:
        return {tree["ind"]}
    found = set()
    for arg in tree.get("args", []) or []:
        found |= references(arg)
    return found


def evaluate(tree, values: dict[str, Decimal | None]) -> Decimal | None:
    """The value of the expression given the inputs' values (None where an input is missing, a divisor is 0, or the
    result is too large to store)."""
    result = _evaluate(tree, values)
    if result is None or not result.is_finite() or abs(result) >= MAX_RESULT:
        return None
    return result


def _evaluate(tree, values: dict[str, Decimal | None]) -> Decimal | None:
    if "ind" in tree:
        value = values.get(tree["ind"])
        return None if value is None else Decimal(value)
    if "const" in tree:
        return Decimal(str(tree["const"]))
    args = [_evaluate(arg, values) for arg in tree["args"]]
    if any(a is None for a in args):
        return None
    result = args[0]
    for arg in args[1:]:
        if tree["op"] == "+":
            result += arg
        elif tree["op"] == "-":
            result -= arg
        elif tree["op"] == "*":
            result *= arg
        elif arg == 0:
            return None
        else:
            result /= arg
    return result


def find_cycle(expressions: dict[str, object]) -> list[str] | None:
    """A chain of codes that leads back to its start ([a, b, a]), or None. `expressions`: code -> tree (derived)."""
    graph = {code: sorted(references(tree)) for code, tree in expressions.items()}
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(code):
        state[code] = 1
        path.append(code)
        for nxt in graph.get(code, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt in graph and state.get(nxt) is None and (found := visit(nxt)):
                return found
        path.pop()
        state[code] = 2
        return None

    for code in sorted(graph):
        if state.get(code) is None and (found := visit(code)):
            return found
    return None


def evaluation_order(expressions: dict[str, object]) -> list[str]:
    """The derived codes in an order where each comes after the derived codes it reads (no cycle assumed)."""
    order, seen = [], set()

    def visit(code):
        if code in seen:
            return
        seen.add(code)
        for nxt in sorted(references(expressions[code])):
            if nxt in expressions:
                visit(nxt)
        order.append(code)

    for code in sorted(expressions):
        visit(code)
    return order
