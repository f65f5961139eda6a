package dev.aedb.query;

import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Differential test of the query engine against SQLite: the same tables (with the same indexes), the same seeded
 * random writes (upserts, field updates, deletes; a unique index must reject in both or in neither) and the same
 * random queries (comparisons, IN, BETWEEN, LIKE, IS [NOT] NULL, AND / OR / NOT, ORDER BY, LIMIT, OFFSET, NULLs in
 * data and literals, non-ASCII text), each answered identically by both. Ordered queries end their ORDER BY with the
 * primary key, where SQL leaves ties open. LIKE is sent to SQLite as GLOB (case-sensitive, one character per
 * {@code _}, as aedb's LIKE; the patterns hold no GLOB metacharacters). Set -Daedb.query.seed to replay a failure,
 * -Daedb.query.rounds for a longer run.
 */
class QueryDifferentialTest
{
    private static final String P = "p";
    private static final String S = "app";

    /** One column: name, aedb type, SQL type, nullable. */
    private record Col(String name, ColumnType type, String sql, boolean nullable)
    {
    }

    /** One table and its indexes: name -> (unique, columns). */
    private record Spec(String name, List<Col> columns, List<String> primaryKey, Map<String, Map.Entry<Boolean, List<String>>> indexes)
    {
        Col column(final String n)
        {
            for (final Col c : columns)
            {
                if (c.name.equals(n))
                {
                    return c;
                }
            }
            throw new AssertionError(n);
        }
    }

    private static final List<String> TEXTS = List.of("", "a", "ab", "abc", "abd", "b", "B", "ba", "é", "éa", "ü", "日本", "日",
        "\uD83D\uDE00", "a_b", "a%b", "x'y", "zz");
    private static final List<String> PATTERNS = List.of("a%", "%b", "a_", "%", "_", "ab%", "é%", "%日%", "a%b", "%a%",
        "_b%", "abc", "", "\uD83D\uDE00%", "a_%", "%'%");
    private static final double[] FLOATS = {-2.5, -1.0, 0.0, 0.5, 1.0, 3.25};

    @TempDir
    Path dir;

    private final Map<String, Integer> paths = new TreeMap<>();
    private int queries;
    private int groupedQueries;
    private int pagedQueries;
    private int joinedQueries;

    @Test
    void shouldAnswerEveryQueryAsSqliteDoes() throws SQLException
    {
        final long seed = Long.getLong("aedb.query.seed", System.nanoTime());
        final int rounds = Integer.getInteger("aedb.query.rounds", 8);
        System.out.println("QueryDifferentialTest seed=" + seed + " (rerun with -Daedb.query.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Map<String, Map.Entry<Boolean, List<String>>> tIndexes = new TreeMap<>();
        tIndexes.put("by_a", Map.entry(false, List.of("a")));
        tIndexes.put("by_b", Map.entry(false, List.of("b")));
        tIndexes.put("by_ab", Map.entry(false, List.of("a", "b")));
        tIndexes.put("by_c", Map.entry(false, List.of("c")));
        tIndexes.put("u_d", Map.entry(true, List.of("d")));
        final Spec t = new Spec("t", List.of(new Col("id", ColumnType.INTEGER, "INTEGER NOT NULL", false),
            new Col("a", ColumnType.INTEGER, "INTEGER", true), new Col("b", ColumnType.TEXT, "TEXT", true),
            new Col("c", ColumnType.FLOAT, "REAL", true), new Col("d", ColumnType.INTEGER, "INTEGER", true)), List.of("id"), tIndexes);
        final Map<String, Map.Entry<Boolean, List<String>>> t2Indexes = new TreeMap<>();
        t2Indexes.put("by_v", Map.entry(false, List.of("v")));
        t2Indexes.put("by_v_k2", Map.entry(false, List.of("v", "k2")));
        final Spec t2 = new Spec("t2", List.of(new Col("k1", ColumnType.INTEGER, "INTEGER NOT NULL", false),
            new Col("k2", ColumnType.TEXT, "TEXT NOT NULL", false), new Col("v", ColumnType.INTEGER, "INTEGER", true)),
            List.of("k1", "k2"), t2Indexes);
        final List<Spec> specs = List.of(t, t2);

        try (AedbInstance db = AedbInstance.open(dir.resolve("aedb"));
            Connection sql = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("sqlite.db")))
        {
            db.createProject(P);
            for (final Spec spec : specs)
            {
                create(db, sql, spec, random);
            }
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < 60; i++)
                {
                    final Spec spec = specs.get(random.nextInt(specs.size()));
                    write(db, sql, spec, random, seed);
                }
                for (int i = 0; i < 400; i++)
                {
                    final Spec spec = random.nextInt(4) == 0 ? t2 : t;
                    query(db, sql, spec, random, seed);
                }
                for (int i = 0; i < 100; i++)
                {
                    grouped(db, sql, random.nextInt(4) == 0 ? t2 : t, random, seed);
                }
                for (int i = 0; i < 60; i++)
                {
                    joined(db, sql, t, t2, random, seed);
                }
            }
        }
        System.out.println("QueryDifferentialTest " + queries + " queries and " + groupedQueries + " grouped or DISTINCT ones, " + pagedQueries
            + " read page by page, " + joinedQueries
            + " joins, access paths " + paths);
        assertTrue(queries >= 3000 || rounds < 8, "too few queries: " + queries);
        assertTrue(groupedQueries >= 800 || rounds < 8, "too few grouped queries: " + groupedQueries);
        assertTrue(pagedQueries >= 300 || rounds < 8, "too few paged queries: " + pagedQueries);
        assertTrue(joinedQueries >= 480 || rounds < 8, "too few joins: " + joinedQueries);
        for (final String path : List.of("PrimaryKeyLookup", "PrimaryKeyRangeScan", "IndexLookup", "IndexScan", "FullScanFilter"))
        {
            assertTrue(paths.getOrDefault(path, 0) > 0, "no query took " + path + ": " + paths);
        }
    }

    private static void create(final AedbInstance db, final Connection sql, final Spec spec, final Random random) throws SQLException
    {
        final List<ColumnDef> columns = new ArrayList<>();
        final StringBuilder ddl = new StringBuilder("CREATE TABLE " + spec.name + " (");
        for (final Col c : spec.columns)
        {
            columns.add(c.nullable ? ColumnDef.nullable(c.name, c.type) : ColumnDef.of(c.name, c.type));
            ddl.append(c.name).append(' ').append(c.sql).append(", ");
        }
        ddl.append("PRIMARY KEY (").append(String.join(", ", spec.primaryKey)).append("))");
        db.createTable(P, S, spec.name, columns, spec.primaryKey);
        try (Statement st = sql.createStatement())
        {
            st.execute(ddl.toString());
            for (final Map.Entry<String, Map.Entry<Boolean, List<String>>> e : spec.indexes.entrySet())
            {
                st.execute("CREATE " + (e.getValue().getKey() ? "UNIQUE " : "") + "INDEX " + e.getKey() + " ON " + spec.name
                    + " (" + String.join(", ", e.getValue().getValue()) + ")");
            }
        }
        // Some indexes are created before the rows, some after (built from existing rows): both are done by the
        // time the first query runs, since every index exists from the start here; the build path is IndexTest's.
        for (final Map.Entry<String, Map.Entry<Boolean, List<String>>> e : spec.indexes.entrySet())
        {
            db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex(P, S, spec.name, e.getKey(), e.getValue().getValue(),
                e.getValue().getKey())));
        }
    }

    private static Value randomValue(final Col c, final Random random, final boolean allowNull)
    {
        if (allowNull && c.nullable && random.nextInt(5) == 0)
        {
            return Value.NULL;
        }
        return switch (c.type)
        {
            case INTEGER -> Value.integer(c.name.equals("d") ? random.nextInt(80) : c.name.equals("id") || c.name.equals("k1")
                ? random.nextInt(120) : random.nextInt(11) - 5);
            case TEXT -> Value.text(TEXTS.get(random.nextInt(TEXTS.size())));
            case FLOAT -> Value.float64(FLOATS[random.nextInt(FLOATS.length)]);
            default -> throw new AssertionError(c.type);
        };
    }

    /** A literal for a predicate on {@code c}: mostly of its type, sometimes of the other numeric kind (SQL compares numbers). */
    private static Value literal(final Col c, final Random random, final boolean allowNull)
    {
        if (c.type == ColumnType.INTEGER && random.nextInt(6) == 0)
        {
            return Value.float64(random.nextInt(11) - 5 + (random.nextBoolean() ? 0.5 : 0.0));
        }
        if (c.type == ColumnType.FLOAT && random.nextInt(6) == 0)
        {
            return Value.integer(random.nextInt(7) - 3);
        }
        return randomValue(c, random, allowNull);
    }

    private static String sqlLiteral(final Value v)
    {
        if (v instanceof Value.Null)
        {
            return "NULL";
        }
        if (v instanceof Value.Int i)
        {
            return Long.toString(i.value());
        }
        if (v instanceof Value.Float64 f)
        {
            return Double.toString(f.value());
        }
        return "'" + ((Value.Text)v).value().replace("'", "''") + "'";
    }

    private void write(final AedbInstance db, final Connection sql, final Spec spec, final Random random, final long seed)
        throws SQLException
    {
        final List<Value> key = new ArrayList<>();
        for (final String k : spec.primaryKey)
        {
            key.add(randomValue(spec.column(k), random, false));
        }
        final StringBuilder where = new StringBuilder();
        for (int i = 0; i < key.size(); i++)
        {
            where.append(i == 0 ? "" : " AND ").append(spec.primaryKey.get(i)).append(" = ").append(sqlLiteral(key.get(i)));
        }
        final int kind = random.nextInt(10);
        final Mutation m;
        final String statement;
        if (kind < 6)
        {
            final Value[] values = new Value[spec.columns.size()];
            final List<String> names = new ArrayList<>();
            final List<String> literals = new ArrayList<>();
            final List<String> updates = new ArrayList<>();
            for (int i = 0; i < values.length; i++)
            {
                final Col c = spec.columns.get(i);
                final int k = spec.primaryKey.indexOf(c.name);
                values[i] = k >= 0 ? key.get(k) : randomValue(c, random, true);
                names.add(c.name);
                literals.add(sqlLiteral(values[i]));
                if (k < 0)
                {
                    updates.add(c.name + " = excluded." + c.name);
                }
            }
            m = new Mutation.Upsert(P, S, spec.name, key, Row.of(values));
            statement = "INSERT INTO " + spec.name + " (" + String.join(", ", names) + ") VALUES (" + String.join(", ", literals)
                + ") ON CONFLICT (" + String.join(", ", spec.primaryKey) + ") DO UPDATE SET " + String.join(", ", updates);
        }
        else if (kind < 8)
        {
            Col c;
            do
            {
                c = spec.columns.get(random.nextInt(spec.columns.size()));
            }
            while (spec.primaryKey.contains(c.name));
            final Value v = randomValue(c, random, true);
            m = new Mutation.UpdateFields(P, S, spec.name, key, Map.of(c.name, v));
            statement = "UPDATE " + spec.name + " SET " + c.name + " = " + sqlLiteral(v) + " WHERE " + where;
        }
        else
        {
            m = new Mutation.Delete(P, S, spec.name, key);
            statement = "DELETE FROM " + spec.name + " WHERE " + where;
        }
        ErrorCode aedbError = null;
        try
        {
            db.commit(m);
        }
        catch (final AedbException ex)
        {
            aedbError = ex.code();
        }
        String sqlError = null;
        int changed;
        try (Statement st = sql.createStatement())
        {
            changed = st.executeUpdate(statement);
        }
        catch (final SQLException ex)
        {
            sqlError = ex.getMessage();
            changed = -1;
        }
        final String context = "seed=" + seed + " " + statement;
        if (aedbError == ErrorCode.ROW_NOT_FOUND)
        {
            assertEquals(0, changed, context + ": aedb found no row to update, SQLite changed " + changed);
        }
        else if (aedbError != null || sqlError != null)
        {
            assertEquals(ErrorCode.UNIQUE_VIOLATION, aedbError, context + ": SQLite said " + sqlError);
            assertTrue(sqlError != null && sqlError.contains("UNIQUE"), context + ": aedb said " + aedbError + ", SQLite " + sqlError);
        }
    }

    private void query(final AedbInstance db, final Connection sql, final Spec spec, final Random random, final long seed)
        throws SQLException
    {
        final StringBuilder sqlWhere = new StringBuilder();
        final Expr where = random.nextInt(8) == 0 ? null : predicate(spec, random, 0, sqlWhere);
        Query q = Query.select("*").from(spec.name).where_(where);
        final StringBuilder text = new StringBuilder("SELECT * FROM " + spec.name);
        if (where != null)
        {
            text.append(" WHERE ").append(sqlWhere);
        }
        final boolean ordered = random.nextInt(3) > 0;
        if (ordered)
        {
            final List<String> keys = new ArrayList<>();
            final int n = random.nextInt(3);
            for (int i = 0; i < n; i++)
            {
                final Col c = spec.columns.get(random.nextInt(spec.columns.size()));
                final Query.Order order = random.nextBoolean() ? Query.Order.ASC : Query.Order.DESC;
                q = q.orderBy(c.name, order);
                keys.add(c.name + " " + order);
            }
            for (final String k : spec.primaryKey)
            {
                q = q.orderBy(k, Query.Order.ASC);
                keys.add(k + " ASC");
            }
            text.append(" ORDER BY ").append(String.join(", ", keys));
            if (random.nextInt(4) == 0)
            {
                paged(db, sql, spec, q.limit(1 + random.nextInt(7)), text.toString(), seed);
            }
            if (random.nextBoolean())
            {
                final int limit = 1 + random.nextInt(20);
                final int offset = random.nextInt(3) == 0 ? random.nextInt(6) : 0;
                q = q.limit(limit).offset(offset);
                text.append(" LIMIT ").append(limit).append(" OFFSET ").append(offset);
            }
        }
        final String context = "seed=" + seed + " query #" + queries + ": " + text;
        final QueryResult result;
        try
        {
            result = db.query(P, S, q, QueryOptions.defaults().withAllowFullScan(true));
        }
        catch (final AedbException ex)
        {
            fail(context + ": aedb refused: " + ex.getMessage());
            return;
        }
        queries++;
        paths.merge(result.plan(), 1, Integer::sum);
        final List<List<Object>> mine = new ArrayList<>();
        for (final Row row : result.rows())
        {
            final List<Object> r = new ArrayList<>();
            for (final Value v : row.values())
            {
                r.add(v instanceof Value.Null ? null : v instanceof Value.Int i ? (Object)i.value() : v instanceof Value.Float64 f
                    ? (Object)f.value() : ((Value.Text)v).value());
            }
            mine.add(r);
        }
        final List<List<Object>> theirs = new ArrayList<>();
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(text.toString().replace(" LIKE ", " GLOB ")))
        {
            while (rs.next())
            {
                final List<Object> r = new ArrayList<>();
                for (int i = 0; i < spec.columns.size(); i++)
                {
                    final Col c = spec.columns.get(i);
                    final Object o = switch (c.type)
                    {
                        case INTEGER -> rs.getLong(i + 1);
                        case FLOAT -> rs.getDouble(i + 1);
                        default -> rs.getString(i + 1);
                    };
                    r.add(rs.wasNull() ? null : o);
                }
                theirs.add(r);
            }
        }
        if (!ordered)
        {
            final java.util.Comparator<List<Object>> byKey = (x, y) -> compareKeys(spec, x, y);
            mine.sort(byKey);
            theirs.sort(byKey);
        }
        assertEquals(theirs, mine, context + " (aedb plan " + result.plan() + ")");
    }

    /**
     * An INNER or LEFT join of two tables (the right one read by primary-key lookup, by index or by a hash of a
     * scan, and a self-join), a random predicate over both, ordered by a random column and then every primary key.
     */
    private void joined(final AedbInstance db, final Connection sql, final Spec t, final Spec t2, final Random random,
        final long seed) throws SQLException
    {
        final int scenario = random.nextInt(4);
        final Spec left = scenario == 1 ? t2 : t;
        final Spec right = scenario == 1 ? t : scenario == 3 ? t : t2;
        final String la = scenario == 1 ? "y" : "x";
        final String ra = scenario == 1 ? "x" : scenario == 3 ? "z" : "y";
        final String on = switch (scenario)
        {
            case 0 -> "x.a = y.v";
            case 1 -> "y.k1 = x.id";
            case 2 -> "x.b = y.k2";
            default -> "x.d = z.a";
        };
        final String[] sides = on.split(" = ");
        final Query.JoinType type = random.nextBoolean() ? Query.JoinType.INNER : Query.JoinType.LEFT;
        final List<Col> columns = new ArrayList<>();
        for (final Col c : left.columns)
        {
            columns.add(new Col(la + "." + c.name, c.type, c.sql, true));
        }
        for (final Col c : right.columns)
        {
            columns.add(new Col(ra + "." + c.name, c.type, c.sql, true));
        }
        final Spec combined = new Spec("joined", columns, List.of(), Map.of());
        final StringBuilder sqlWhere = new StringBuilder();
        final Expr where = random.nextInt(4) == 0 ? null : predicate(combined, random, 1, sqlWhere);
        Query q = Query.select().from(left.name).alias(la).where_(where);
        q = type == Query.JoinType.INNER ? q.innerJoin(right.name, ra, sides[0], sides[1]) : q.leftJoin(right.name, ra, sides[0], sides[1]);
        final List<String> names = new ArrayList<>();
        columns.forEach(c -> names.add(c.name));
        final List<String> keys = new ArrayList<>();
        if (random.nextBoolean())
        {
            final Col c = columns.get(random.nextInt(columns.size()));
            final Query.Order order = random.nextBoolean() ? Query.Order.ASC : Query.Order.DESC;
            q = q.orderBy(c.name, order);
            keys.add(c.name + " " + order);
        }
        for (final String k : left.primaryKey)
        {
            q = q.orderBy(la + "." + k, Query.Order.ASC);
            keys.add(la + "." + k + " ASC");
        }
        for (final String k : right.primaryKey)
        {
            q = q.orderBy(ra + "." + k, Query.Order.ASC);
            keys.add(ra + "." + k + " ASC");
        }
        final StringBuilder text = new StringBuilder("SELECT " + String.join(", ", names) + " FROM " + left.name + " AS " + la
            + (type == Query.JoinType.INNER ? " INNER JOIN " : " LEFT JOIN ") + right.name + " AS " + ra + " ON " + on);
        if (where != null)
        {
            text.append(" WHERE ").append(sqlWhere);
        }
        text.append(" ORDER BY ").append(String.join(", ", keys));
        if (random.nextInt(3) == 0)
        {
            final int limit = 1 + random.nextInt(15);
            final int offset = random.nextInt(4);
            q = q.limit(limit).offset(offset);
            text.append(" LIMIT ").append(limit).append(" OFFSET ").append(offset);
        }
        final String context = "seed=" + seed + " join #" + joinedQueries + ": " + text;
        final QueryResult result;
        try
        {
            result = db.query(P, S, q, QueryOptions.defaults().withAllowFullScan(true));
        }
        catch (final AedbException ex)
        {
            fail(context + ": aedb refused: " + ex.getMessage());
            return;
        }
        joinedQueries++;
        assertEquals(names, result.columns(), context);
        assertEquals(sqlite(sql, combined, text.toString()), values(result), context + " (aedb plan " + result.plan() + ")");
    }

    /**
     * Reads every page of an ordered query through its cursors (each page at the first page's snapshot, while the
     * data does not change here) and compares their concatenation with SQLite's answer to the query without a limit.
     */
    private void paged(final AedbInstance db, final Connection sql, final Spec spec, final Query q, final String text, final long seed)
        throws SQLException
    {
        final List<List<Object>> mine = new ArrayList<>();
        String cursor = null;
        long snapshot = -1;
        int pages = 0;
        do
        {
            final QueryResult page = db.query(P, S, q, QueryOptions.defaults().withAllowFullScan(true).withCursor(cursor));
            assertTrue(page.rows().size() <= q.limit(), "seed=" + seed + " " + text + ": page larger than the limit");
            if (snapshot >= 0)
            {
                assertEquals(snapshot, page.snapshotSeq(), "seed=" + seed + " " + text + ": pages at one snapshot");
            }
            snapshot = page.snapshotSeq();
            mine.addAll(values(page));
            cursor = page.cursor();
            assertTrue(cursor == null || page.rows().size() == q.limit(), "a cursor only after a full page");
            pages++;
        }
        while (cursor != null && pages < 1000);
        pagedQueries++;
        assertEquals(sqlite(sql, spec, text), mine, "seed=" + seed + " paged by " + q.limit() + ": " + text);
    }

    private static List<List<Object>> values(final QueryResult result)
    {
        final List<List<Object>> out = new ArrayList<>();
        for (final Row row : result.rows())
        {
            final List<Object> r = new ArrayList<>();
            for (final Value v : row.values())
            {
                r.add(v instanceof Value.Null ? null : v instanceof Value.Int i ? (Object)i.value() : v instanceof Value.Float64 f
                    ? (Object)f.value() : ((Value.Text)v).value());
            }
            out.add(r);
        }
        return out;
    }

    private static List<List<Object>> sqlite(final Connection sql, final Spec spec, final String text) throws SQLException
    {
        final List<List<Object>> theirs = new ArrayList<>();
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(text.replace(" LIKE ", " GLOB ")))
        {
            while (rs.next())
            {
                final List<Object> r = new ArrayList<>();
                for (int i = 0; i < spec.columns.size(); i++)
                {
                    final Col c = spec.columns.get(i);
                    final Object o = switch (c.type)
                    {
                        case INTEGER -> rs.getLong(i + 1);
                        case FLOAT -> rs.getDouble(i + 1);
                        default -> rs.getString(i + 1);
                    };
                    r.add(rs.wasNull() ? null : o);
                }
                theirs.add(r);
            }
        }
        return theirs;
    }

    /**
     * A grouped query (GROUP BY 0-2 columns, 1-4 aggregates, HAVING sometimes) or a DISTINCT one, ordered by every
     * output column (so that SQL's open order is closed), with LIMIT and OFFSET sometimes.
     */
    private void grouped(final AedbInstance db, final Connection sql, final Spec spec, final Random random, final long seed)
        throws SQLException
    {
        final StringBuilder sqlWhere = new StringBuilder();
        final Expr where = random.nextInt(4) == 0 ? null : predicate(spec, random, 1, sqlWhere);
        Query q = Query.select().from(spec.name).where_(where);
        final List<String> select = new ArrayList<>();
        final List<Col> outTypes = new ArrayList<>();
        final List<String> orderBy = new ArrayList<>();
        final StringBuilder groupSql = new StringBuilder();
        final StringBuilder havingSql = new StringBuilder();
        final boolean distinct = random.nextInt(4) == 0;
        if (distinct)
        {
            final List<String> columns = new ArrayList<>();
            final int n = 1 + random.nextInt(2);
            for (int i = 0; i < n; i++)
            {
                final Col c = spec.columns.get(random.nextInt(spec.columns.size()));
                if (!columns.contains(c.name))
                {
                    columns.add(c.name);
                    select.add(c.name);
                    outTypes.add(c);
                }
            }
            q = Query.select(columns.toArray(new String[0])).from(spec.name).where_(where).distinct();
        }
        else
        {
            final List<String> groups = new ArrayList<>();
            final int g = random.nextInt(3);
            for (int i = 0; i < g; i++)
            {
                final Col c = spec.columns.get(random.nextInt(spec.columns.size()));
                if (!groups.contains(c.name))
                {
                    groups.add(c.name);
                    select.add(c.name);
                    outTypes.add(c);
                }
            }
            q = q.groupBy(groups.toArray(new String[0]));
            if (!groups.isEmpty())
            {
                groupSql.append(" GROUP BY ").append(String.join(", ", groups));
            }
            final int a = 1 + random.nextInt(4);
            final Map<String, String> exprs = new TreeMap<>();
            for (int i = 0; i < a; i++)
            {
                final Col c = spec.columns.get(random.nextInt(spec.columns.size()));
                final boolean numeric = c.type != ColumnType.TEXT;
                final dev.aedb.model.Aggregate agg;
                final String expr;
                final Col type;
                switch (random.nextInt(5))
                {
                    case 0 ->
                    {
                        agg = new dev.aedb.model.Aggregate.Count();
                        expr = "COUNT(*)";
                        type = new Col("count_star", ColumnType.INTEGER, "", true);
                    }
                    case 1 ->
                    {
                        agg = numeric ? new dev.aedb.model.Aggregate.Sum(c.name) : new dev.aedb.model.Aggregate.Min(c.name);
                        expr = (numeric ? "SUM(" : "MIN(") + c.name + ")";
                        type = new Col(agg.outputName(), c.type, "", true);
                    }
                    case 2 ->
                    {
                        agg = new dev.aedb.model.Aggregate.Min(c.name);
                        expr = "MIN(" + c.name + ")";
                        type = new Col(agg.outputName(), c.type, "", true);
                    }
                    case 3 ->
                    {
                        agg = new dev.aedb.model.Aggregate.Max(c.name);
                        expr = "MAX(" + c.name + ")";
                        type = new Col(agg.outputName(), c.type, "", true);
                    }
                    default ->
                    {
                        agg = numeric ? new dev.aedb.model.Aggregate.Avg(c.name) : new dev.aedb.model.Aggregate.Max(c.name);
                        expr = (numeric ? "AVG(" : "MAX(") + c.name + ")";
                        type = new Col(agg.outputName(), numeric ? ColumnType.FLOAT : c.type, "", true);
                    }
                }
                if (exprs.containsKey(agg.outputName()) || select.contains(agg.outputName()))
                {
                    continue;
                }
                exprs.put(agg.outputName(), expr);
                q = q.aggregate(agg);
                select.add(agg.outputName());
                outTypes.add(type);
            }
            if (random.nextInt(3) == 0)
            {
                // HAVING on one output column, with SQLite given the aggregate expression itself
                final int i = random.nextInt(select.size());
                final Col c = outTypes.get(i);
                final String name = select.get(i);
                final String target = exprs.getOrDefault(name, name);
                final Value v = c.name.equals("count_star") ? Value.integer(random.nextInt(4)) : c.type == ColumnType.FLOAT
                    ? Value.float64(FLOATS[random.nextInt(FLOATS.length)]) : randomValue(spec.column(baseColumn(name)), random, false);
                final int op = random.nextInt(4);
                final Expr having = switch (op)
                {
                    case 0 -> Expr.gt(name, v);
                    case 1 -> Expr.lte(name, v);
                    case 2 -> Expr.ne(name, v);
                    default -> Expr.isNotNull(name);
                };
                havingSql.append(" HAVING ").append(target).append(op == 0 ? " > " + sqlLiteral(v) : op == 1 ? " <= " + sqlLiteral(v)
                    : op == 2 ? " != " + sqlLiteral(v) : " IS NOT NULL");
                q = q.having(having);
            }
            final List<String> sqlSelect = new ArrayList<>();
            for (final String name : select)
            {
                sqlSelect.add(exprs.getOrDefault(name, name));
            }
            select.clear();
            select.addAll(sqlSelect);
        }
        final List<String> outputNames = new ArrayList<>();
        for (final Col c : outTypes)
        {
            outputNames.add(c.name);
        }
        for (int i = 0; i < outputNames.size(); i++)
        {
            final Query.Order order = random.nextBoolean() ? Query.Order.ASC : Query.Order.DESC;
            q = q.orderBy(outputNames.get(i), order);
            orderBy.add((i + 1) + " " + order);
        }
        final StringBuilder text = new StringBuilder("SELECT " + (distinct ? "DISTINCT " : "") + String.join(", ", select)
            + " FROM " + spec.name);
        if (where != null)
        {
            text.append(" WHERE ").append(sqlWhere);
        }
        text.append(groupSql).append(havingSql);
        if (!orderBy.isEmpty())
        {
            text.append(" ORDER BY ").append(String.join(", ", orderBy));
        }
        if (random.nextInt(3) == 0)
        {
            final int limit = 1 + random.nextInt(10);
            final int offset = random.nextInt(3);
            q = q.limit(limit).offset(offset);
            text.append(" LIMIT ").append(limit).append(" OFFSET ").append(offset);
        }
        final String context = "seed=" + seed + " grouped query #" + groupedQueries + ": " + text;
        final QueryResult result;
        try
        {
            result = db.query(P, S, q, QueryOptions.defaults().withAllowFullScan(true));
        }
        catch (final AedbException ex)
        {
            fail(context + ": aedb refused: " + ex.getMessage());
            return;
        }
        groupedQueries++;
        assertEquals(outputNames, result.columns(), context);
        final List<List<Object>> mine = new ArrayList<>();
        for (final Row row : result.rows())
        {
            final List<Object> r = new ArrayList<>();
            for (final Value v : row.values())
            {
                r.add(v instanceof Value.Null ? null : v instanceof Value.Int i ? (Object)i.value() : v instanceof Value.Float64 f
                    ? (Object)f.value() : ((Value.Text)v).value());
            }
            mine.add(r);
        }
        final List<List<Object>> theirs = new ArrayList<>();
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(text.toString().replace(" LIKE ", " GLOB ")))
        {
            while (rs.next())
            {
                final List<Object> r = new ArrayList<>();
                for (int i = 0; i < outTypes.size(); i++)
                {
                    final Object o = switch (outTypes.get(i).type)
                    {
                        case INTEGER -> rs.getLong(i + 1);
                        case FLOAT -> rs.getDouble(i + 1);
                        default -> rs.getString(i + 1);
                    };
                    r.add(rs.wasNull() ? null : o);
                }
                theirs.add(r);
            }
        }
        assertEquals(theirs, mine, context + " (aedb plan " + result.plan() + ")");
    }

    /** @return the table column an output column comes from ({@code min_b} -> {@code b}; a group column itself). */
    private static String baseColumn(final String output)
    {
        final int underscore = output.indexOf('_');
        return underscore < 0 ? output : output.substring(underscore + 1);
    }

    private static int compareKeys(final Spec spec, final List<Object> x, final List<Object> y)
    {
        for (final String k : spec.primaryKey)
        {
            final int i = spec.columns.indexOf(spec.column(k));
            @SuppressWarnings("unchecked")
            final int c = ((Comparable<Object>)x.get(i)).compareTo(y.get(i));
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }

    private static Expr predicate(final Spec spec, final Random random, final int depth, final StringBuilder sql)
    {
        final int kind = depth >= 2 ? 4 + random.nextInt(8) : random.nextInt(12);
        if (kind < 2)
        {
            final int n = 2 + random.nextInt(2);
            final List<Expr> terms = new ArrayList<>();
            sql.append('(');
            for (int i = 0; i < n; i++)
            {
                sql.append(i == 0 ? "" : kind == 0 ? " AND " : " OR ");
                terms.add(predicate(spec, random, depth + 1, sql));
            }
            sql.append(')');
            return kind == 0 ? new Expr.And(terms) : new Expr.Or(terms);
        }
        if (kind < 4)
        {
            sql.append("NOT (");
            final Expr e = predicate(spec, random, depth + 1, sql);
            sql.append(')');
            return Expr.not(e);
        }
        final Col c = spec.columns.get(random.nextInt(spec.columns.size()));
        final int leaf = random.nextInt(c.type == ColumnType.TEXT ? 11 : 10);
        final String n = c.name;
        switch (leaf)
        {
            case 0, 1, 2, 3, 4, 5:
            {
                final Value v = literal(c, random, random.nextInt(12) == 0);
                final String[] ops = {" = ", " != ", " < ", " <= ", " > ", " >= "};
                sql.append(n).append(ops[leaf]).append(sqlLiteral(v));
                return switch (leaf)
                {
                    case 0 -> Expr.eq(n, v);
                    case 1 -> Expr.ne(n, v);
                    case 2 -> Expr.lt(n, v);
                    case 3 -> Expr.lte(n, v);
                    case 4 -> Expr.gt(n, v);
                    default -> Expr.gte(n, v);
                };
            }
            case 6:
            {
                final int count = random.nextInt(5);
                final List<Value> values = new ArrayList<>();
                final List<String> literals = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    final Value v = literal(c, random, random.nextInt(8) == 0);
                    values.add(v);
                    literals.add(sqlLiteral(v));
                }
                sql.append(n).append(" IN (").append(String.join(", ", literals)).append(')');
                return new Expr.In(n, values);
            }
            case 7:
            {
                final Value low = literal(c, random, random.nextInt(15) == 0);
                final Value high = literal(c, random, random.nextInt(15) == 0);
                sql.append(n).append(" BETWEEN ").append(sqlLiteral(low)).append(" AND ").append(sqlLiteral(high));
                return Expr.between(n, low, high);
            }
            case 8:
                sql.append(n).append(" IS NULL");
                return Expr.isNull(n);
            case 9:
                sql.append(n).append(" IS NOT NULL");
                return Expr.isNotNull(n);
            default:
            {
                final String pattern = PATTERNS.get(random.nextInt(PATTERNS.size()));
                sql.append(n).append(" LIKE '").append(pattern.replace("'", "''").replace('%', '*').replace('_', '?')).append('\'');
                return Expr.like(n, pattern);
            }
        }
    }
}
