"""Reference data of indicators, loaded by `treem bootstrap`: the indicator catalogue."""

from .catalogue import load as load_catalogue


def load(stdout=None) -> None:
    load_catalogue(stdout)
