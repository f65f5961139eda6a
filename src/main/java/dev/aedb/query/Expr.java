package dev.aedb.query;

import dev.aedb.catalog.Value;

import java.util.List;

/**
 * A predicate over the columns of one table. Comparisons with NULL are false (three-valued logic folded to false);
 * literals must have the column's type.
 */
public sealed interface Expr
{
    record Eq(String column, Value value) implements Comparison
    {
    }

    record Ne(String column, Value value) implements Comparison
    {
    }

    record Lt(String column, Value value) implements Comparison
    {
    }

    record Lte(String column, Value value) implements Comparison
    {
    }

    record Gt(String column, Value value) implements Comparison
    {
    }

    record Gte(String column, Value value) implements Comparison
    {
    }

    /** A comparison of a column with a literal. */
    sealed interface Comparison extends Expr
    {
        String column();

        Value value();
    }

    record IsNull(String column) implements Expr
    {
    }

    record IsNotNull(String column) implements Expr
    {
    }

    record And(List<Expr> terms) implements Expr
    {
    }

    record Or(List<Expr> terms) implements Expr
    {
    }

    record Not(Expr term) implements Expr
    {
    }

    static Expr eq(final String column, final Value value)
    {
        return new Eq(column, value);
    }

    static Expr ne(final String column, final Value value)
    {
        return new Ne(column, value);
    }

    static Expr lt(final String column, final Value value)
    {
        return new Lt(column, value);
    }

    static Expr lte(final String column, final Value value)
    {
        return new Lte(column, value);
    }

    static Expr gt(final String column, final Value value)
    {
        return new Gt(column, value);
    }

    static Expr gte(final String column, final Value value)
    {
        return new Gte(column, value);
    }

    static Expr isNull(final String column)
    {
        return new IsNull(column);
    }

    static Expr isNotNull(final String column)
    {
        return new IsNotNull(column);
    }

    static Expr and(final Expr... terms)
    {
        return new And(List.of(terms));
    }

    static Expr or(final Expr... terms)
    {
        return new Or(List.of(terms));
    }

    static Expr not(final Expr term)
    {
        return new Not(term);
    }
}
