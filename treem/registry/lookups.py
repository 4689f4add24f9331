"""Database lookups of the registry, registered when the app is ready (apps.py)."""

from django.db.models import Lookup


class WordPrefixes(Lookup):
    """`name_folded__words=["vo", "thanh"]`: each word is the start of a word of the name, in any order.

    PostgreSQL: the generated, GIN-indexed column name_prefixes holds every prefix of every word (migration 0005), so
    this is one indexed containment test whose selectivity the planner knows. Elsewhere: one LIKE per word."""

    lookup_name = "words"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = list(self.rhs)
        sql = " AND ".join([f"(' ' || {lhs}) LIKE %s ESCAPE '\\'"] * len(words))
        return sql, [param for word in words for param in (*lhs_params, f"% {_like_escape(word)}%")]

    def as_postgresql(self, compiler, connection):
        table = compiler.quote_name(self.lhs.alias)
        return f'{table}."name_prefixes" @> %s::text[]', [list(self.rhs)]


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
