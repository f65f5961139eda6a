package dev.aedb.query;

import dev.aedb.catalog.TableSchema;
import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import java.util.HexFormat;
import java.util.List;

/**
 * Checking, three-valued evaluation and canonical rendering of {@link Expr} trees against one table's schema.
 * Evaluation yields {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN} (SQL's NULL truth value).
 */
final class Predicates
{
    static final int FALSE = 0;
    static final int TRUE = 1;
    static final int UNKNOWN = 2;

    static final int MAX_DEPTH = 32;
    static final int MAX_IN_VALUES = 10_000;
    static final int MAX_LIKE_PATTERN = 256;

    private Predicates()
    {
    }

    /**
     * @throws AedbException COLUMN_NOT_FOUND for an unknown column, TYPE_MISMATCH for a literal of another type than
     *                       its column, INVALID_QUERY for a non-finite FLOAT literal, LIKE on a column that is not
     *                       TEXT, a pattern or IN list over its bound, or a tree deeper than {@value #MAX_DEPTH}.
     */
    static void check(final TableSchema schema, final Expr e, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "predicate nests deeper than " + MAX_DEPTH);
        }
        if (e instanceof Expr.And a)
        {
            a.terms().forEach(t -> check(schema, t, depth + 1));
        }
        else if (e instanceof Expr.Or o)
        {
            o.terms().forEach(t -> check(schema, t, depth + 1));
        }
        else if (e instanceof Expr.Not n)
        {
            check(schema, n.term(), depth + 1);
        }
        else if (e instanceof Expr.IsNull n)
        {
            column(schema, n.column());
        }
        else if (e instanceof Expr.IsNotNull n)
        {
            column(schema, n.column());
        }
        else if (e instanceof Expr.Comparison c)
        {
            literal(schema, column(schema, c.column()), c.value());
        }
        else if (e instanceof Expr.In in)
        {
            final ColumnDef c = column(schema, in.column());
            if (in.values().size() > MAX_IN_VALUES)
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "IN on " + in.column() + " lists " + in.values().size()
                    + " values, at most " + MAX_IN_VALUES);
            }
            for (final Value v : in.values())
            {
                literal(schema, c, v);
            }
        }
        else if (e instanceof Expr.Between b)
        {
            final ColumnDef c = column(schema, b.column());
            literal(schema, c, b.low());
            literal(schema, c, b.high());
        }
        else if (e instanceof Expr.Like l)
        {
            final ColumnDef c = column(schema, l.column());
            if (c.type() != ColumnType.TEXT)
            {
                throw new AedbException(ErrorCode.TYPE_MISMATCH, "LIKE needs a TEXT column; " + l.column() + " is " + c.type());
            }
            if (l.pattern().length() > MAX_LIKE_PATTERN)
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "LIKE pattern of " + l.pattern().length()
                    + " characters, at most " + MAX_LIKE_PATTERN);
            }
            if (dev.aedb.model.Utf16.unpairedSurrogate(l.pattern()) >= 0)
            {
                throw new AedbException(ErrorCode.INVALID_QUERY, "LIKE pattern holds an unpaired surrogate");
            }
        }
        else
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "unsupported expression " + e);
        }
    }

    static ColumnDef column(final TableSchema schema, final String name)
    {
        final int i = schema.columnIndex(name);
        if (i < 0)
        {
            throw new AedbException(ErrorCode.COLUMN_NOT_FOUND, "column not found: " + schema.tableName() + "." + name);
        }
        return schema.columns().get(i);
    }

    private static void literal(final TableSchema schema, final ColumnDef c, final Value literal)
    {
        if (literal instanceof Value.Null)
        {
            return;
        }
        if (literal.type() != c.type() && !(numeric(literal.type()) && numeric(c.type())))
        {
            throw new AedbException(ErrorCode.TYPE_MISMATCH, "column " + c.name() + " is " + c.type() + ", literal is " + literal.type());
        }
        if (literal instanceof Value.Float64 f && !Double.isFinite(f.value()))
        {
            // A FLOAT column holds finite values only (writes reject the rest). Value.compare places NaN above
            // +Infinity only so that it agrees with the key encoding; as a filter NaN means nothing (IEEE makes
            // every comparison false) and an infinity decides every comparison by the literal alone: a query
            // that names one is a mistake, not a filter.
            throw new AedbException(ErrorCode.INVALID_QUERY, "column " + c.name() + " holds finite floats only; the literal "
                + f.value() + " cannot be compared");
        }
    }

    /** @return TRUE, FALSE or UNKNOWN for {@code e} on {@code row} (of {@code schema}, already checked). */
    static int eval(final TableSchema schema, final Expr e, final Row row)
    {
        if (e instanceof Expr.And a)
        {
            int result = TRUE;
            for (final Expr t : a.terms())
            {
                final int r = eval(schema, t, row);
                if (r == FALSE)
                {
                    return FALSE;
                }
                if (r == UNKNOWN)
                {
                    result = UNKNOWN;
                }
            }
            return result;
        }
        if (e instanceof Expr.Or o)
        {
            int result = FALSE;
            for (final Expr t : o.terms())
            {
                final int r = eval(schema, t, row);
                if (r == TRUE)
                {
                    return TRUE;
                }
                if (r == UNKNOWN)
                {
                    result = UNKNOWN;
                }
            }
            return result;
        }
        if (e instanceof Expr.Not n)
        {
            final int r = eval(schema, n.term(), row);
            return r == UNKNOWN ? UNKNOWN : r == TRUE ? FALSE : TRUE;
        }
        if (e instanceof Expr.IsNull n)
        {
            return row.get(schema.columnIndex(n.column())) instanceof Value.Null ? TRUE : FALSE;
        }
        if (e instanceof Expr.IsNotNull n)
        {
            return row.get(schema.columnIndex(n.column())) instanceof Value.Null ? FALSE : TRUE;
        }
        if (e instanceof Expr.In in)
        {
            final Value actual = row.get(schema.columnIndex(in.column()));
            if (actual instanceof Value.Null)
            {
                return in.values().isEmpty() ? FALSE : UNKNOWN;
            }
            int result = FALSE;
            for (final Value v : in.values())
            {
                if (v instanceof Value.Null)
                {
                    result = UNKNOWN;
                }
                else if (compare(actual, v) == 0)
                {
                    return TRUE;
                }
            }
            return result;
        }
        if (e instanceof Expr.Between b)
        {
            final Value actual = row.get(schema.columnIndex(b.column()));
            final int low = compareOrUnknown(actual, b.low());
            final int high = compareOrUnknown(actual, b.high());
            final int lowTruth = low == Integer.MIN_VALUE ? UNKNOWN : low >= 0 ? TRUE : FALSE;
            final int highTruth = high == Integer.MIN_VALUE ? UNKNOWN : high <= 0 ? TRUE : FALSE;
            if (lowTruth == FALSE || highTruth == FALSE)
            {
                return FALSE;
            }
            return lowTruth == TRUE && highTruth == TRUE ? TRUE : UNKNOWN;
        }
        if (e instanceof Expr.Like l)
        {
            final Value actual = row.get(schema.columnIndex(l.column()));
            if (actual instanceof Value.Null)
            {
                return UNKNOWN;
            }
            return like(((Value.Text)actual).value(), l.pattern()) ? TRUE : FALSE;
        }
        final Expr.Comparison c = (Expr.Comparison)e;
        final int cmp = compareOrUnknown(row.get(schema.columnIndex(c.column())), c.value());
        if (cmp == Integer.MIN_VALUE)
        {
            return UNKNOWN;
        }
        final boolean holds;
        if (e instanceof Expr.Eq)
        {
            holds = cmp == 0;
        }
        else if (e instanceof Expr.Ne)
        {
            holds = cmp != 0;
        }
        else if (e instanceof Expr.Lt)
        {
            holds = cmp < 0;
        }
        else if (e instanceof Expr.Lte)
        {
            holds = cmp <= 0;
        }
        else if (e instanceof Expr.Gt)
        {
            holds = cmp > 0;
        }
        else
        {
            holds = cmp >= 0;
        }
        return holds ? TRUE : FALSE;
    }

    /** @return the comparison of two values, or Integer.MIN_VALUE when either is NULL. */
    private static int compareOrUnknown(final Value a, final Value b)
    {
        if (a instanceof Value.Null || b instanceof Value.Null)
        {
            return Integer.MIN_VALUE;
        }
        return compare(a, b);
    }

    /** Value order with NULL below everything ({@code Value.compare} for two non-NULL values). */
    static int compare(final Value a, final Value b)
    {
        final boolean an = a instanceof Value.Null;
        final boolean bn = b instanceof Value.Null;
        if (an || bn)
        {
            return an == bn ? 0 : an ? -1 : 1;
        }
        if (a instanceof Value.Int x && b instanceof Value.Float64 y)
        {
            return compareExact(x.value(), y.value());
        }
        if (a instanceof Value.Float64 x && b instanceof Value.Int y)
        {
            return -compareExact(y.value(), x.value());
        }
        return Value.compare(a, b);
    }

    /** INTEGER and FLOAT compare with each other (as SQL's numbers do); no other two types do. */
    static boolean numeric(final ColumnType t)
    {
        return t == ColumnType.INTEGER || t == ColumnType.FLOAT;
    }

    /** @return the exact order of a long and a finite double (no rounding of the long to a double). */
    static int compareExact(final long l, final double d)
    {
        if (d >= 0x1p63)
        {
            return -1;
        }
        if (d < -0x1p63)
        {
            return 1;
        }
        final double floor = Math.floor(d);
        final long f = (long)floor; // exact: floor is an integer within the long range
        if (l != f)
        {
            return Long.compare(l, f);
        }
        return floor == d ? 0 : -1; // l == floor(d) < d when d has a fraction
    }

    /**
     * LIKE by code points: {@code %} any run, {@code _} one code point, the rest literal, case-sensitive. Iterative
     * with one backtrack point (the last {@code %}), so a pattern costs O(text x pattern) at worst, never exponential.
     */
    static boolean like(final String text, final String pattern)
    {
        final int[] t = text.codePoints().toArray();
        final int[] p = pattern.codePoints().toArray();
        int ti = 0;
        int pi = 0;
        int starP = -1;
        int starT = -1;
        while (ti < t.length)
        {
            if (pi < p.length && p[pi] == '%')
            {
                starP = pi++;
                starT = ti;
            }
            else if (pi < p.length && (p[pi] == '_' || p[pi] == t[ti]))
            {
                pi++;
                ti++;
            }
            else if (starP >= 0)
            {
                pi = starP + 1;
                ti = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '%')
        {
            pi++;
        }
        return pi == p.length;
    }

    /** @return the literal prefix of a LIKE pattern (the characters before its first wildcard). */
    static String likePrefix(final String pattern)
    {
        int i = 0;
        while (i < pattern.length() && pattern.charAt(i) != '%' && pattern.charAt(i) != '_')
        {
            i++;
        }
        return pattern.substring(0, i);
    }

    /** Adds every column {@code e} names to {@code out}. */
    static void columns(final Expr e, final java.util.Set<String> out)
    {
        if (e instanceof Expr.And a)
        {
            a.terms().forEach(t -> columns(t, out));
        }
        else if (e instanceof Expr.Or o)
        {
            o.terms().forEach(t -> columns(t, out));
        }
        else if (e instanceof Expr.Not n)
        {
            columns(n.term(), out);
        }
        else
        {
            out.add(column(e));
        }
    }

    private static String column(final Expr leaf)
    {
        if (leaf instanceof Expr.IsNull n)
        {
            return n.column();
        }
        if (leaf instanceof Expr.IsNotNull n)
        {
            return n.column();
        }
        if (leaf instanceof Expr.In in)
        {
            return in.column();
        }
        if (leaf instanceof Expr.Between b)
        {
            return b.column();
        }
        if (leaf instanceof Expr.Like l)
        {
            return l.column();
        }
        return ((Expr.Comparison)leaf).column();
    }

    /** @return {@code e} with every column name mapped by {@code f}. */
    static Expr rename(final Expr e, final java.util.function.UnaryOperator<String> f)
    {
        if (e instanceof Expr.And a)
        {
            return new Expr.And(a.terms().stream().map(t -> rename(t, f)).toList());
        }
        if (e instanceof Expr.Or o)
        {
            return new Expr.Or(o.terms().stream().map(t -> rename(t, f)).toList());
        }
        if (e instanceof Expr.Not n)
        {
            return new Expr.Not(rename(n.term(), f));
        }
        if (e instanceof Expr.IsNull n)
        {
            return new Expr.IsNull(f.apply(n.column()));
        }
        if (e instanceof Expr.IsNotNull n)
        {
            return new Expr.IsNotNull(f.apply(n.column()));
        }
        if (e instanceof Expr.In in)
        {
            return new Expr.In(f.apply(in.column()), in.values());
        }
        if (e instanceof Expr.Between b)
        {
            return new Expr.Between(f.apply(b.column()), b.low(), b.high());
        }
        if (e instanceof Expr.Like l)
        {
            return new Expr.Like(f.apply(l.column()), l.pattern());
        }
        final Expr.Comparison c = (Expr.Comparison)e;
        final String name = f.apply(c.column());
        if (e instanceof Expr.Eq)
        {
            return new Expr.Eq(name, c.value());
        }
        if (e instanceof Expr.Ne)
        {
            return new Expr.Ne(name, c.value());
        }
        if (e instanceof Expr.Lt)
        {
            return new Expr.Lt(name, c.value());
        }
        if (e instanceof Expr.Lte)
        {
            return new Expr.Lte(name, c.value());
        }
        if (e instanceof Expr.Gt)
        {
            return new Expr.Gt(name, c.value());
        }
        return new Expr.Gte(name, c.value());
    }

    /** @return a canonical, deterministic rendering of {@code e} (SQL-like). */
    static String render(final Expr e)
    {
        final StringBuilder out = new StringBuilder();
        render(e, out);
        return out.toString();
    }

    private static void render(final Expr e, final StringBuilder out)
    {
        if (e instanceof Expr.And a)
        {
            junction(a.terms(), " AND ", "TRUE", out);
        }
        else if (e instanceof Expr.Or o)
        {
            junction(o.terms(), " OR ", "FALSE", out);
        }
        else if (e instanceof Expr.Not n)
        {
            out.append("NOT (");
            render(n.term(), out);
            out.append(')');
        }
        else if (e instanceof Expr.IsNull n)
        {
            out.append(n.column()).append(" IS NULL");
        }
        else if (e instanceof Expr.IsNotNull n)
        {
            out.append(n.column()).append(" IS NOT NULL");
        }
        else if (e instanceof Expr.In in)
        {
            out.append(in.column()).append(" IN (");
            for (int i = 0; i < in.values().size(); i++)
            {
                out.append(i == 0 ? "" : ", ").append(literal(in.values().get(i)));
            }
            out.append(')');
        }
        else if (e instanceof Expr.Between b)
        {
            out.append(b.column()).append(" BETWEEN ").append(literal(b.low())).append(" AND ").append(literal(b.high()));
        }
        else if (e instanceof Expr.Like l)
        {
            out.append(l.column()).append(" LIKE ").append(quote(l.pattern()));
        }
        else
        {
            final Expr.Comparison c = (Expr.Comparison)e;
            final String op = e instanceof Expr.Eq ? " = " : e instanceof Expr.Ne ? " != " : e instanceof Expr.Lt ? " < "
                : e instanceof Expr.Lte ? " <= " : e instanceof Expr.Gt ? " > " : " >= ";
            out.append(c.column()).append(op).append(literal(c.value()));
        }
    }

    private static void junction(final List<Expr> terms, final String op, final String empty, final StringBuilder out)
    {
        if (terms.isEmpty())
        {
            out.append(empty);
            return;
        }
        out.append('(');
        for (int i = 0; i < terms.size(); i++)
        {
            out.append(i == 0 ? "" : op);
            render(terms.get(i), out);
        }
        out.append(')');
    }

    /** @return a literal as SQL-like text: numbers bare, text quoted, blobs as X'..', NULL. */
    static String literal(final Value v)
    {
        if (v instanceof Value.Null)
        {
            return "NULL";
        }
        if (v instanceof Value.Int x)
        {
            return Long.toString(x.value());
        }
        if (v instanceof Value.Float64 x)
        {
            return Double.toString(x.value());
        }
        if (v instanceof Value.Bool x)
        {
            return x.value() ? "TRUE" : "FALSE";
        }
        if (v instanceof Value.Text x)
        {
            return quote(x.value());
        }
        if (v instanceof Value.Json x)
        {
            return "JSON " + quote(x.value());
        }
        if (v instanceof Value.Timestamp x)
        {
            return "TIMESTAMP " + x.value();
        }
        if (v instanceof Value.U64 x)
        {
            return Long.toUnsignedString(x.value());
        }
        if (v instanceof Value.Blob x)
        {
            return "X'" + HexFormat.of().formatHex(x.value()) + "'";
        }
        if (v instanceof Value.U256 x)
        {
            return new java.math.BigInteger(1, x.bytes()).toString();
        }
        return v.toString();
    }

    private static String quote(final String s)
    {
        return "'" + s.replace("'", "''") + "'";
    }
}
