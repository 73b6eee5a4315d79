"""Checks of the tables' values, column by column: the Table Schema constraints (by a pandera
validator), calendar dates, foreign keys, and dates later than their article's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from articlepack.failing_rows import finding, findings, id_column, says, short
from articlepack.report import did_you_mean
from articlepack.schema import TableSchema, table_of

if TYPE_CHECKING:
    import pandera.polars
    import polars as pl

    from articlepack.corpus import Corpus
    from articlepack.report import Finding

_PANDERA_CODES = {
    "not_nullable": "missing-key",
    "field_uniqueness": "duplicate-id",
    "multiple_fields_uniqueness": "duplicate-id",
    "isin": "not-in-enum",
    "enum": "not-in-enum",
    "str_matches": "bad-pattern",
    "greater_than_or_equal_to": "out-of-range",
    "less_than_or_equal_to": "out-of-range",
    "str_length": "out-of-range",
}


def check_table(table: pl.DataFrame, schema: TableSchema) -> list[Finding]:
    """Types, required values, enums, patterns, ranges and uniqueness, by the pandera schema."""
    import polars as pl

    if table.height == 0:
        return []
    import pandera.errors

    try:
        validator(schema).validate(table, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases: pl.DataFrame = exc.failure_cases
    cases = cases.filter(pl.col("index").is_not_null())
    ident = id_column(schema)
    keys = [k for k in schema.primary_key if k in table.columns and k != "article_id"]
    rows = table.select(
        "_file",
        "_path",
        *(pl.col(k).cast(pl.String).alias(f"_key_{k}") for k in keys),
        _id=pl.col(ident).cast(pl.String) if ident else pl.lit(None, pl.String),
    ).with_row_index("index")
    cases = cases.with_columns(pl.col("index").cast(pl.UInt32)).join(rows, on="index", how="left")
    out = []
    for case in cases.iter_rows(named=True):
        check_name = str(case["check"]).split("(")[0]
        code = _PANDERA_CODES.get(check_name, "wrong-type")
        column = case["column"]
        if code == "duplicate-id":
            # the key's values, read from the row: pandera words a multi-column key as JSON
            if case["column"] is None:
                column = keys[-1] if keys else schema.primary_key[-1]
            named = [k for k in keys if case[f"_key_{k}"] is not None] or [column]
            value = ", ".join(
                f"{k} {short(case.get(f'_key_{k}', case['failure_case']))}" for k in named
            )
            message = f"{value} is used more than once in {schema.name}"
        else:
            message = _column_message(schema, column, code, case["failure_case"])
        out.append(finding(case, code, message, schema, column))
    return out


def _column_message(schema: TableSchema, column: str, code: str, value: Any) -> str:
    constraints = schema.field(column).get("constraints", {})
    if code == "missing-key":
        return "a value is required"
    if code == "not-in-enum":
        allowed = constraints.get("enum") or schema.item(column).get("enum", [])
        wrong = (
            value
            if not isinstance(value, list)
            else next((v for v in value if v not in allowed), None)
        )
        hint = did_you_mean(wrong, map(str, allowed))
        return f"{short(value)} is not one of {', '.join(map(str, allowed))}{hint}"
    if code == "bad-pattern":
        return f"{short(value)} does not match {constraints['pattern']}"
    if code == "out-of-range":
        bounds = {
            k: constraints[k] for k in ("minimum", "maximum", "maxLength") if k in constraints
        }
        return f"{short(value)} is outside {bounds}"
    return f"{short(value)} has the wrong type"


def validator(schema: TableSchema) -> pandera.polars.DataFrameSchema:
    """The pandera (polars backend) validator of the table's YAML-read columns."""
    import pandera.polars as pandera

    dtypes = schema.polars()
    columns = {}
    for f in schema.fields:
        name = f["name"]
        if name in schema.derived:
            continue
        c = f.get("constraints", {})
        columns[name] = pandera.Column(
            dtypes[name],
            checks=_constraints(schema, f),
            nullable=not c.get("required", False),
            unique=bool(c.get("unique")) and len(schema.primary_key) <= 1,
            required=True,
        )
    unique = list(schema.primary_key) if len(schema.primary_key) > 1 else None
    checker: pandera.DataFrameSchema = pandera.DataFrameSchema(
        columns, unique=unique, name=schema.name, strict=False
    )
    return checker


def _constraints(schema: TableSchema, f: dict[str, Any]) -> list[pandera.polars.Check]:
    """The pandera checks of a field's constraints (and of its array items' enum)."""
    import pandera.polars as pandera
    import polars as pl

    c = f.get("constraints", {})
    checks = []
    if "enum" in c:
        checks.append(pandera.Check.isin(c["enum"], name="enum"))
    if "pattern" in c:
        checks.append(pandera.Check.str_matches(_anchored(c["pattern"]), name="pattern"))
    if "minimum" in c:
        checks.append(pandera.Check.ge(c["minimum"], name="minimum"))
    if "maximum" in c:
        checks.append(pandera.Check.le(c["maximum"], name="maximum"))
    if "maxLength" in c:
        checks.append(pandera.Check.str_length(max_value=c["maxLength"], name="maxLength"))
    item_enum = schema.item(f["name"]).get("enum") if f.get("type") == "array" else None
    if item_enum:
        # a set difference reads the same in every polars 1.x and 2.x, where `is_in`
        # on a list literal inside `list.eval` changed meaning between versions
        allowed = pl.lit(pl.Series([list(item_enum)]))
        checks.append(
            pandera.Check(
                lambda data, col=f["name"], allowed=allowed: data.lazyframe.select(
                    (pl.col(col).list.set_difference(allowed).list.len() == 0).fill_null(True)
                ),
                name="enum",
            )
        )
    return checks


def _anchored(pattern: str) -> str:
    """Frictionless patterns match the whole value."""
    return pattern if pattern.startswith("^") and pattern.endswith("$") else f"^(?:{pattern})$"


def check_dates(corpus: Corpus, names: tuple[str, ...]) -> list[Finding]:
    """Calendar dates that cannot exist (2016-02-30, month 13, year 0000), in the tables ``names``.

    Year 0000 parses in polars' proleptic calendar but not in Python's, which the build uses.
    """
    import polars as pl

    out = []
    for name in names:
        for column in corpus.schemas[name].dates:
            value = pl.col(column)
            bad = corpus.tables[name].filter(
                value.str.starts_with("0000")
                | value.str.contains(_ISO_DATE) & calendar_date(value).is_null()
            )
            message = says("{} is not a calendar date", column)
            out += findings(bad, "bad-date", message, corpus.schemas[name], column)
    return out


_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # year, month or day precision


def calendar_date(value: pl.Expr) -> pl.Expr:
    """The first day of the year, month or day that an ISO 8601 string names; null when it names
    none (another form, 2016-02-30, month 13, or year 0000, which Python's calendar lacks)."""
    import polars as pl

    n = value.str.len_chars()
    padded = (
        pl.when(n == 4).then(value + "-01-01").when(n == 7).then(value + "-01").otherwise(value)
    )
    named = value.str.contains(_ISO_DATE) & ~value.str.starts_with("0000")
    return pl.when(named).then(padded.str.to_date("%Y-%m-%d", strict=False))


def check_keys(corpus: Corpus, *, to_entities: bool) -> list[Finding]:
    """Foreign keys as anti-joins: references into the registry (``to_entities``), or else to
    the rows of other article tables (keys to the document table are the article itself)."""
    import polars as pl

    out = []
    document, registry = table_of(corpus.schemas, "document"), table_of(corpus.schemas, "registry")
    for name, schema in corpus.schemas.items():
        table = corpus.tables[name]
        for fk in schema.foreign_keys:
            if fk.resource == document or (fk.resource == registry) != to_entities:
                continue
            target = (
                corpus.tables[fk.resource]
                .select([pl.col(r).alias(f) for f, r in zip(fk.fields, fk.reference, strict=True)])
                .unique()
            )
            missing = table.drop_nulls(list(fk.fields)).join(target, on=list(fk.fields), how="anti")
            column = fk.fields[-1]
            noun = "entity" if fk.resource == registry else fk.resource.removesuffix("s")
            known = _known_ids(target, missing, list(fk.fields))

            def message(
                r: dict[str, Any], fields: Any = fk.fields, noun: str = noun, known: Any = known
            ) -> str:
                value = r[fields[-1]]
                hint = did_you_mean(value, known.get(tuple(r[f] for f in fields[:-1]), ()))
                return f"{short(value)} is not a known {noun} id{hint}"

            out += findings(missing, "missing-reference", message, schema, column)
    return out


SUGGEST = 100  # missing references given a "did you mean" (each costs a difflib search)


def _known_ids(
    target: pl.DataFrame, missing: pl.DataFrame, fields: list[str]
) -> dict[tuple[Any, ...], list[str]]:
    """The ids each missing reference could have meant, by the values of the key's other fields
    (its article); none when more than :data:`SUGGEST` references are missing."""
    scope = fields[:-1]
    if missing.height == 0 or missing.height > SUGGEST:
        return {}
    wanted = target.join(missing.select(scope).unique(), on=scope) if scope else target
    ids: dict[tuple[Any, ...], list[str]] = {}
    for row in wanted.iter_rows():
        ids.setdefault(tuple(row[:-1]), []).append(row[-1])
    return ids


def check_not_after(corpus: Corpus) -> list[Finding]:
    """Dates later than their article's (``x-articlepack.not_after``): an event that "happened"
    after the article that reports it is worth a second look."""
    import polars as pl

    document = table_of(corpus.schemas, "document") or ""
    out = []
    for name, schema in corpus.schemas.items():
        rule = schema.not_after
        if rule is None:
            continue
        column, reference = str(rule["column"]), str(rule["document"])
        when = pl.lit(True).and_(
            *(pl.col(str(c)) == v for c, v in dict(rule.get("when") or {}).items())
        )
        # an invalid date (bad-date, bad-pattern) is reported as such and ordered with nothing
        rows = corpus.tables[name].filter(when & calendar_date(pl.col(column)).is_not_null())
        joined = rows.join(
            corpus.tables[document].select(
                pl.col("id").alias("article_id"), pl.col(reference).alias("_ref")
            ),
            on="article_id",
            how="inner",
        ).filter(calendar_date(pl.col("_ref")).is_not_null())
        n = pl.min_horizontal(pl.col(column).str.len_chars(), pl.col("_ref").str.len_chars())
        late = joined.filter(pl.col(column).str.slice(0, n) > pl.col("_ref").str.slice(0, n))
        condition = ", ".join(f"{c} {v}" for c, v in dict(rule.get("when") or {}).items())

        def message(
            r: dict[str, Any],
            column: str = column,
            reference: str = reference,
            condition: str = condition,
        ) -> str:
            return f"{r[column]} is after its article's {reference} {r['_ref']}" + (
                f" (and {condition})" if condition else ""
            )

        out += findings(late, "event-after-publication", message, schema, column)
    return out
