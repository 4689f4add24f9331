"""Agencies change (2025 merged departments and provinces): follow AgencySuccession to today's agencies.

* a *continuation* is a single successor that took over everything (no functions listed): the same department of
  the merged province. A task of a continued agency belongs to the successor.
* a *merger or split* (several successors, or named functions) keeps the task on the old agency, and the successors
  are shown beside it: the reader sees who does the work now.
"""

from collections import defaultdict
from datetime import date

from django.utils import timezone

from treem.accounts.models import Agency, AgencySuccession


def is_current(agency: Agency, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    return (agency.valid_from is None or agency.valid_from <= on) and (agency.valid_to is None or agency.valid_to >= on)


def continuation(agency: Agency, on: date | None = None) -> Agency:
    """Follow full continuations (one successor, no functions listed) from `agency`; the last one reached."""
    seen = {agency.pk}
    while not is_current(agency, on):
        links = list(
            AgencySuccession.objects.filter(predecessor=agency).select_related("successor", "successor__province")
        )
        if len(links) != 1 or links[0].functions.strip() or links[0].successor_id in seen:
            break
        agency = links[0].successor
        seen.add(agency.pk)
    return agency


def current_successors(agency: Agency, on: date | None = None) -> list[tuple[Agency, str]]:
    """Today's agencies that took over from `agency` (transitively), with the functions they took over."""
    on = on or timezone.localdate()
    found: dict[int, tuple[Agency, str]] = {}
    frontier = [(agency, "")]
    seen = {agency.pk}
    while frontier:
        node, functions = frontier.pop(0)
        links = AgencySuccession.objects.filter(predecessor=node).select_related("successor", "successor__province")
        for link in links:
            successor = link.successor
            if successor.pk in seen:
                continue
            seen.add(successor.pk)
            what = link.functions or functions
            if is_current(successor, on):
                found.setdefault(successor.pk, (successor, what))
            else:
                frontier.append((successor, what))
    return list(found.values())


def successors_map(agencies, on: date | None = None) -> dict[int, list[tuple[Agency, str]]]:
    """{agency id: current successors} for the agencies that are no longer in force."""
    return {a.pk: current_successors(a, on) for a in agencies if not is_current(a, on)}


def predecessors_closure(agency_ids) -> set[int]:
    """The agencies and every agency they succeeded (transitively): whose tasks an agency inherits."""
    result = set(agency_ids)
    links = defaultdict(set)
    for predecessor, successor in AgencySuccession.objects.values_list("predecessor_id", "successor_id"):
        links[successor].add(predecessor)
    frontier = list(result)
    while frontier:
        for predecessor in links.get(frontier.pop(), ()):
            if predecessor not in result:
                result.add(predecessor)
                frontier.append(predecessor)
    return result


def responsible_now(agency: Agency, on: date | None = None) -> list[Agency]:
    """Who answers for `agency`'s tasks today: itself while in force, else its current successors."""
    if is_current(agency, on):
        return [agency]
    return [a for a, _functions in current_successors(agency, on)]
