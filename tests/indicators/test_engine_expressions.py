"""The derived indicators' expression language: evaluation, validation, and refusal of cycles."""

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.indicators.expressions import ExpressionError, evaluate, evaluation_order, find_cycle, references, validate

CODES = ["a", "b", "c"]
leaf = st.one_of(st.builds(lambda c: {"ind": c}, st.sampled_from(CODES)),
                 st.builds(lambda n: {"const": n}, st.integers(-50, 50)))
trees = st.recursive(leaf, lambda kids: st.builds(lambda op, args: {"op": op, "args": args},
                                                  st.sampled_from("+-*/"), st.lists(kids, min_size=2, max_size=3)),
                     max_leaves=12)


def reference_value(tree, values):
    """The same arithmetic on exact fractions: None for a missing input or a division by zero."""
    if "ind" in tree:
        v = values.get(tree["ind"])
        return None if v is None else Fraction(v)
    if "const" in tree:
        return Fraction(tree["const"])
    args = [reference_value(a, values) for a in tree["args"]]
    if any(a is None for a in args):
        return None
    out = args[0]
    for a in args[1:]:
        if tree["op"] == "/":
            if a == 0:
                return None
            out /= a
        else:
            out = {"+": out + a, "-": out - a, "*": out * a}[tree["op"]]
    return out


@settings(max_examples=300, deadline=None)
@given(tree=trees, values=st.dictionaries(st.sampled_from(CODES), st.one_of(st.none(), st.integers(-1000, 1000))))
def test_evaluator_agrees_with_exact_arithmetic(tree, values):
    validate(tree, known=set(CODES))
    assert references(tree) <= set(CODES)
    expected = reference_value(tree, values)
    got = evaluate(tree, {k: None if v is None else Decimal(v) for k, v in values.items()})
    if expected is None or abs(expected) >= 10**13:  # too large to store: no figure
        assert got is None
    else:
        assert got is not None
        assert abs(Fraction(got) - expected) <= abs(expected) * Fraction(1, 10**20) + Fraction(1, 10**20)


@pytest.mark.parametrize("bad", [
    {"op": "**", "args": [{"const": 2}, {"const": 3}]},
    {"op": "+", "args": [{"const": 2}]},
    {"op": "+", "args": "ab"},
    {"ind": ""},
    {"const": "1e9999999999"},
    {"const": "NaN"},
    {"const": True},
    {"__import__": "os"},
    {"ind": "x", "const": 1},
    "sc_children",
    {"op": "+", "args": [{"ind": "a"}] * 300},
])
def test_malformed_expressions_are_refused(bad):
    with pytest.raises(ExpressionError):
        validate(bad, known={"a", "x"})


def test_unknown_indicator_is_refused():
    with pytest.raises(ExpressionError):
        validate({"op": "/", "args": [{"ind": "a"}, {"ind": "nope"}]}, known={"a"})


@given(edges=st.dictionaries(st.sampled_from("abcdef"), st.sets(st.sampled_from("abcdef"), max_size=3)))
def test_find_cycle_finds_a_cycle_exactly_when_there_is_one(edges):
    exprs = {code: {"op": "+", "args": [{"ind": n} for n in sorted(refs)] + [{"const": 0}, {"const": 0}]}
             for code, refs in edges.items()}
    cycle = find_cycle(exprs)
    # Reference: a topological order exists iff there is no cycle (Kahn's algorithm).
    graph = {c: {n for n in refs if n in edges} for c, refs in edges.items()}
    indegree_free = [c for c in graph if not graph[c]]
    done, remaining = set(), {c: set(g) for c, g in graph.items()}
    while indegree_free:
        c = indegree_free.pop()
        done.add(c)
        for other, deps in remaining.items():
            if c in deps:
                deps.discard(c)
                if not deps and other not in done and other not in indegree_free:
                    indegree_free.append(other)
    has_cycle = len(done) < len(graph)
    assert (cycle is not None) == has_cycle
    if cycle:
        assert cycle[0] == cycle[-1]
        for here, nxt in itertools.pairwise(cycle):
            assert nxt in edges[here]
    else:
        order = evaluation_order(exprs)
        for code in order:
            assert all(order.index(n) < order.index(code) for n in graph[code])
