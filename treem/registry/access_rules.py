"""Who reaches the register's records: by the child's commune, or the province it belongs to (treem.access.rules)."""

from treem.access import ByUnit, register

from .models import Child, Household, ImportBatch

register(Child, ByUnit("commune", "province"))
register(Household, ByUnit("commune"))
register(ImportBatch, ByUnit("commune", "province"))
