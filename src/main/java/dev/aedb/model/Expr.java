package dev.aedb.model;


import java.util.List;

/**
 * A predicate over the columns of one table, evaluated with SQL's three-valued logic: a comparison with a NULL
 * (column value or literal) is UNKNOWN, {@code Not} of UNKNOWN is UNKNOWN, {@code And} is FALSE if a term is FALSE
 * else UNKNOWN if a term is, {@code Or} is TRUE if a term is TRUE else UNKNOWN if a term is; a row is kept only when
 * the predicate is TRUE. Literals must have the column's type (TYPE_MISMATCH otherwise), except that INTEGER and FLOAT
 * literals and columns compare with each other exactly, as numbers; a FLOAT literal must be finite (INVALID_QUERY
 * otherwise, see the query executor). Trees nest at most 32 deep. Every component is required: a Java null is INVALID_ARGUMENT naming it (use
 * {@link Value#NULL} for a NULL literal, {@link IsNull} to test for NULL).
 */
public sealed interface Expr
{
    /** column = value. */
    record Eq(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Eq
        {
            checkComparison(column, value);
        }
    }

    /** column != value. */
    record Ne(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Ne
        {
            checkComparison(column, value);
        }
    }

    /** column &lt; value. */
    record Lt(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Lt
        {
            checkComparison(column, value);
        }
    }

    /** column &lt;= value. */
    record Lte(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Lte
        {
            checkComparison(column, value);
        }
    }

    /** column &gt; value. */
    record Gt(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Gt
        {
            checkComparison(column, value);
        }
    }

    /** column &gt;= value. */
    record Gte(String column, Value value) implements Comparison
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Gte
        {
            checkComparison(column, value);
        }
    }

    /** A comparison of a column with a literal. */
    sealed interface Comparison extends Expr
    {
        /** @return the column compared. */
        String column();

        /** @return the literal it is compared with, of the column's type. */
        Value value();
    }

    /** column IS NULL. */
    record IsNull(String column) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public IsNull
        {
            require(column, "column");
        }
    }

    /** column IS NOT NULL. */
    record IsNotNull(String column) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT for a null column. */
        public IsNotNull
        {
            require(column, "column");
        }
    }

    /**
     * column IN (values): TRUE when the column equals one of them; else UNKNOWN when the column or a value is NULL;
     * else FALSE. At most 10,000 values (INVALID_QUERY beyond, when run).
     */
    record In(String column, List<Value> values) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component or value. Copies the list. */
        public In
        {
            require(column, "column");
            require(values, "values");
            int i = 0;
            for (final Value v : values)
            {
                if (v == null)
                {
                    throw new AedbException(ErrorCode.INVALID_ARGUMENT, "values[" + i + "]=null; use Value.NULL for a NULL literal");
                }
                i++;
            }
            values = List.copyOf(values);
        }
    }

    /** low &lt;= column &lt;= high (both bounds inclusive, as SQL's BETWEEN). */
    record Between(String column, Value low, Value high) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Between
        {
            require(column, "column");
            if (low == null || high == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, (low == null ? "low" : "high")
                    + "=null; use Value.NULL for a NULL literal");
            }
        }
    }

    /**
     * column LIKE pattern, TEXT columns only, case-sensitive and without collation: {@code %} matches any run of
     * characters (also none), {@code _} exactly one character (a Unicode code point), every other character itself.
     * No escape character. Patterns of at most 256 characters (INVALID_QUERY beyond, when run).
     */
    record Like(String column, String pattern) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null component. */
        public Like
        {
            require(column, "column");
            require(pattern, "pattern");
        }
    }

    /** All terms hold (an empty And holds). */
    record And(List<Expr> terms) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null list or term. Copies the list. */
        public And
        {
            terms = checkTerms(terms);
        }
    }

    /** Some term holds (an empty Or does not). */
    record Or(List<Expr> terms) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT naming a null list or term. Copies the list. */
        public Or
        {
            terms = checkTerms(terms);
        }
    }

    /** The term does not hold. */
    record Not(Expr term) implements Expr
    {
        /** @throws AedbException INVALID_ARGUMENT for a null term. */
        public Not
        {
            require(term, "term");
        }
    }

    /** @return column = value; see {@link Eq}. */
    static Expr eq(final String column, final Value value)
    {
        return new Eq(column, value);
    }

    /** @return column != value; see {@link Ne}. */
    static Expr ne(final String column, final Value value)
    {
        return new Ne(column, value);
    }

    /** @return column &lt; value; see {@link Lt}. */
    static Expr lt(final String column, final Value value)
    {
        return new Lt(column, value);
    }

    /** @return column &lt;= value; see {@link Lte}. */
    static Expr lte(final String column, final Value value)
    {
        return new Lte(column, value);
    }

    /** @return column &gt; value; see {@link Gt}. */
    static Expr gt(final String column, final Value value)
    {
        return new Gt(column, value);
    }

    /** @return column &gt;= value; see {@link Gte}. */
    static Expr gte(final String column, final Value value)
    {
        return new Gte(column, value);
    }

    /** @return column IS NULL; see {@link IsNull}. */
    static Expr isNull(final String column)
    {
        return new IsNull(column);
    }

    /** @return column IS NOT NULL; see {@link IsNotNull}. */
    static Expr isNotNull(final String column)
    {
        return new IsNotNull(column);
    }

    /** @return column IN (values); see {@link In}. */
    static Expr in(final String column, final Value... values)
    {
        return new In(column, values == null ? null : java.util.Arrays.asList(values));
    }

    /** @return low &lt;= column &lt;= high; see {@link Between}. */
    static Expr between(final String column, final Value low, final Value high)
    {
        return new Between(column, low, high);
    }

    /** @return column LIKE pattern; see {@link Like}. */
    static Expr like(final String column, final String pattern)
    {
        return new Like(column, pattern);
    }

    /** @return the conjunction; INVALID_ARGUMENT naming a null array or term. */
    static Expr and(final Expr... terms)
    {
        return new And(terms == null ? null : java.util.Arrays.asList(terms));
    }

    /** @return the disjunction; INVALID_ARGUMENT naming a null array or term. */
    static Expr or(final Expr... terms)
    {
        return new Or(terms == null ? null : java.util.Arrays.asList(terms));
    }

    /** @return the negation; INVALID_ARGUMENT for a null term. */
    static Expr not(final Expr term)
    {
        return new Not(term);
    }

    private static void require(final Object value, final String name)
    {
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, name + "=null");
        }
    }

    private static void checkComparison(final String column, final Value value)
    {
        require(column, "column");
        if (value == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "value=null; use Value.NULL for a NULL literal");
        }
    }

    private static List<Expr> checkTerms(final List<Expr> terms)
    {
        require(terms, "terms");
        int i = 0;
        for (final Expr t : terms)
        {
            if (t == null)
            {
                throw new AedbException(ErrorCode.INVALID_ARGUMENT, "terms[" + i + "]=null");
            }
            i++;
        }
        return List.copyOf(terms);
    }
}
