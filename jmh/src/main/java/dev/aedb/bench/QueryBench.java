package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.model.Aggregate;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Queries over one table of {@code keys} rows (default 1,000,000) {@code items(id INTEGER PRIMARY KEY, grp INTEGER,
 * val INTEGER, name TEXT, cat INTEGER, owner INTEGER)} with a secondary index on {@code grp}; {@code grp = id % (rows /
 * 10)}, so each group holds 10 rows; {@code cat = id % 16}; {@code owner = id % owners}, a key of
 * {@code owners(id INTEGER PRIMARY KEY, name TEXT)}, which has {@code keys / 10} rows (100,000 by default). Rows are inserted in a seeded random order (in batches of 1,000, not synced), the same in every
 * engine. Each operation picks the next id or group of a fixed-seed random walk and materialises every column of every
 * row returned:
 * <ul>
 * <li>{@code pkQuery}: {@code SELECT * WHERE id = ?} (aedb {@code query(...)}, SQLite and H2 a prepared statement);
 * {@code pkGet} is aedb's ordinary {@code get} of the same row, the ratio's denominator (for SQLite and H2 the same
 * prepared statement as {@code pkQuery}: their get is a query).</li>
 * <li>{@code indexEq10}: {@code SELECT * WHERE grp = ?}, 10 rows through the index.</li>
 * <li>{@code indexRange100}: {@code SELECT * WHERE grp >= ? AND grp < ? + 10}, 100 rows.</li>
 * <li>{@code orderByLimit20}: {@code SELECT * WHERE grp >= ? ORDER BY grp LIMIT 20} (the index gives the order).</li>
 * <li>{@code groupBySum}: {@code SELECT cat, SUM(val) WHERE id >= ? AND id < ? + keys / 10 GROUP BY cat}: 16 groups over a
 * tenth of the rows (100,000), a key range.</li>
 * <li>{@code join1k}: {@code SELECT items.id, owners.name FROM items JOIN owners ON items.owner = owners.id WHERE items.id
 * >= ? AND items.id < ? + 1000}: 1,000 rows of a key range, each joined on the other table's primary key.</li>
 * </ul>
 * SQLite: {@code journal_mode=WAL}, {@code synchronous=OFF}, 1 GiB page cache; H2: the embedded SQL engine
 * ({@code jdbc:h2:file}), default settings. Both answer through prepared statements reused for the whole run.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueryBench
{
    static final String AEDB = "aedb";
    static final String SQLITE = "sqlite";
    static final String H2 = "h2";

    @State(Scope.Benchmark)
    public static class Data
    {
        @Param({AEDB, SQLITE, H2})
        public String engine;

        /** Rows in the table (named {@code keys} like the other benchmarks' size, so one {@code -p keys=} sizes all). */
        @Param({"1000000"})
        public int keys;

        Path dir;
        AedbInstance db;
        Connection sql;
        PreparedStatement byId;
        PreparedStatement byGroup;
        PreparedStatement byGroupRange;
        PreparedStatement orderByLimit;
        PreparedStatement groupBySum;
        PreparedStatement join1k;
        int owners;
        int groups;
        int[] walk;
        int step;

        @Setup(Level.Trial)
        public void load() throws SQLException
        {
            dir = BenchData.tempDir("query-" + engine);
            groups = Math.max(20, keys / 10);
            owners = Math.max(20, keys / 10);
            final int[] order = BenchData.insertionOrder(keys, BenchData.InsertOrder.RANDOM);
            walk = BenchData.randomIndexes(BenchData.RANDOM_COUNT, keys, 0x5DEECE66DL);
            if (engine.equals(AEDB))
            {
                db = AedbInstance.open(new AedbConfig().durability(Durability.OS_BUFFERED).storeSegmentBytes(64 << 20), dir);
                db.createProject("p");
                db.createTable("p", "app", "items", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("grp", ColumnType.INTEGER),
                    ColumnDef.of("val", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT), ColumnDef.of("cat", ColumnType.INTEGER),
                    ColumnDef.of("owner", ColumnType.INTEGER)), List.of("id"));
                db.createTable("p", "app", "owners", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT)),
                    List.of("id"));
                db.commit(new Mutation.Ddl(new DdlOperation.CreateIndex("p", "app", "items", "by_grp", List.of("grp"), false)));
                final List<Mutation> batch = new ArrayList<>(1000);
                for (final int id : order)
                {
                    batch.add(new Mutation.Upsert("p", "app", "items", List.of(Value.integer(id)), Row.of(Value.integer(id),
                        Value.integer(id % groups), Value.integer(id * 7L), Value.text(name(id)), Value.integer(id % 16),
                        Value.integer(id % owners))));
                    if (id < owners)
                    {
                        batch.add(new Mutation.Upsert("p", "app", "owners", List.of(Value.integer(id)), Row.of(Value.integer(id),
                            Value.text("owner-" + id))));
                    }
                    if (batch.size() >= 1000)
                    {
                        db.commit(TransactionEnvelope.of(batch));
                        batch.clear();
                    }
                }
                if (!batch.isEmpty())
                {
                    db.commit(TransactionEnvelope.of(batch));
                }
                return;
            }
            if (engine.equals(SQLITE))
            {
                sql = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.sqlite"));
                try (Statement st = sql.createStatement())
                {
                    st.execute("PRAGMA journal_mode=WAL");
                    st.execute("PRAGMA synchronous=OFF");
                    st.execute("PRAGMA cache_size=-1048576");
                }
            }
            else if (engine.equals(H2))
            {
                sql = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("q").toAbsolutePath());
            }
            else
            {
                throw new IllegalArgumentException("engine " + engine);
            }
            try (Statement st = sql.createStatement())
            {
                st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, val BIGINT NOT NULL, name VARCHAR(64) NOT NULL, "
                    + "cat INTEGER NOT NULL, owner INTEGER NOT NULL)");
                st.execute("CREATE INDEX by_grp ON items (grp)");
                st.execute("CREATE TABLE owners (id INTEGER PRIMARY KEY, name VARCHAR(64) NOT NULL)");
            }
            sql.setAutoCommit(false);
            try (PreparedStatement ins = sql.prepareStatement("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)");
                PreparedStatement own = sql.prepareStatement("INSERT INTO owners VALUES (?, ?)"))
            {
                int n = 0;
                for (final int id : order)
                {
                    ins.setInt(1, id);
                    ins.setInt(2, id % groups);
                    ins.setLong(3, id * 7L);
                    ins.setString(4, name(id));
                    ins.setInt(5, id % 16);
                    ins.setInt(6, id % owners);
                    ins.addBatch();
                    if (id < owners)
                    {
                        own.setInt(1, id);
                        own.setString(2, "owner-" + id);
                        own.addBatch();
                    }
                    if (++n % 1000 == 0)
                    {
                        ins.executeBatch();
                        own.executeBatch();
                        sql.commit();
                    }
                }
                ins.executeBatch();
                own.executeBatch();
                sql.commit();
            }
            sql.setAutoCommit(true);
            byId = sql.prepareStatement("SELECT id, grp, val, name FROM items WHERE id = ?");
            byGroup = sql.prepareStatement("SELECT id, grp, val, name FROM items WHERE grp = ?");
            byGroupRange = sql.prepareStatement("SELECT id, grp, val, name FROM items WHERE grp >= ? AND grp < ?");
            orderByLimit = sql.prepareStatement("SELECT id, grp, val, name FROM items WHERE grp >= ? ORDER BY grp LIMIT 20");
            groupBySum = sql.prepareStatement("SELECT cat, SUM(val) FROM items WHERE id >= ? AND id < ? GROUP BY cat");
            join1k = sql.prepareStatement("SELECT items.id, owners.name FROM items JOIN owners ON items.owner = owners.id "
                + "WHERE items.id >= ? AND items.id < ?");
        }

        static String name(final int id)
        {
            return "item-" + id;
        }

        int next()
        {
            final int i = walk[step];
            step = (step + 1) & (walk.length - 1);
            return i;
        }

        @TearDown(Level.Trial)
        public void close() throws Exception
        {
            if (db != null)
            {
                db.close();
            }
            if (sql != null)
            {
                sql.close();
            }
            BenchData.deleteRecursively(dir);
        }
    }

    private static long sink(final QueryResult r)
    {
        long s = r.rows().size();
        for (final Row row : r.rows())
        {
            s += ((Value.Int)row.get(0)).value() + ((Value.Text)row.get(3)).value().length();
        }
        return s;
    }

    private static long sink(final PreparedStatement st) throws SQLException
    {
        long s = 0;
        try (ResultSet rs = st.executeQuery())
        {
            while (rs.next())
            {
                s += 1 + rs.getInt(1) + rs.getInt(2) + rs.getLong(3) + rs.getString(4).length();
            }
        }
        return s;
    }

    @Benchmark
    public long pkGet(final Data d) throws SQLException
    {
        if (d.db == null)
        {
            d.byId.setInt(1, d.next());
            return sink(d.byId);
        }
        final Row row = d.db.get("p", "app", "items", List.of(Value.integer(d.next()))).row();
        return ((Value.Int)row.get(0)).value() + ((Value.Text)row.get(3)).value().length();
    }

    @Benchmark
    public long pkQuery(final Data d) throws SQLException
    {
        final int id = d.next();
        if (d.db != null)
        {
            return sink(d.db.query("p", "app", Query.select("*").from("items").where_(Expr.eq("id", Value.integer(id)))));
        }
        d.byId.setInt(1, id);
        return sink(d.byId);
    }

    @Benchmark
    public long indexEq10(final Data d) throws SQLException
    {
        final int g = d.next() % d.groups;
        if (d.db != null)
        {
            return sink(d.db.query("p", "app", Query.select("*").from("items").where_(Expr.eq("grp", Value.integer(g)))));
        }
        d.byGroup.setInt(1, g);
        return sink(d.byGroup);
    }

    @Benchmark
    public long indexRange100(final Data d) throws SQLException
    {
        final int g = d.next() % (d.groups - 10);
        if (d.db != null)
        {
            return sink(d.db.query("p", "app", Query.select("*").from("items").where_(Expr.and(Expr.gte("grp", Value.integer(g)),
                Expr.lt("grp", Value.integer(g + 10))))));
        }
        d.byGroupRange.setInt(1, g);
        d.byGroupRange.setInt(2, g + 10);
        return sink(d.byGroupRange);
    }

    @Benchmark
    public long orderByLimit20(final Data d) throws SQLException
    {
        final int g = d.next() % (d.groups - 10);
        if (d.db != null)
        {
            return sink(d.db.query("p", "app", Query.select("*").from("items").where_(Expr.gte("grp", Value.integer(g)))
                .orderBy("grp", Query.Order.ASC).limit(20)));
        }
        d.orderByLimit.setInt(1, g);
        return sink(d.orderByLimit);
    }

    private static final QueryOptions WIDE = QueryOptions.defaults().withMaxScanRows(1_000_000);

    @Benchmark
    public long groupBySum(final Data d) throws SQLException
    {
        final int span = Math.max(1, d.keys / 10);
        final int from = d.next() % (d.keys - span + 1);
        if (d.db != null)
        {
            final QueryResult r = d.db.query("p", "app", Query.select().from("items").where_(Expr.and(Expr.gte("id", Value.integer(from)),
                Expr.lt("id", Value.integer(from + span)))).groupBy("cat").aggregate(new Aggregate.Sum("val")), WIDE);
            long s = 0;
            for (final Row row : r.rows())
            {
                s += ((Value.Int)row.get(1)).value();
            }
            return s;
        }
        d.groupBySum.setInt(1, from);
        d.groupBySum.setInt(2, from + span);
        long s = 0;
        try (ResultSet rs = d.groupBySum.executeQuery())
        {
            while (rs.next())
            {
                s += rs.getLong(2);
            }
        }
        return s;
    }

    @Benchmark
    public long join1k(final Data d) throws SQLException
    {
        final int from = d.next() % (d.keys - 1000 + 1);
        if (d.db != null)
        {
            final QueryResult r = d.db.query("p", "app", Query.select("i.id", "o.name").from("items").alias("i")
                .innerJoin("owners", "o", "i.owner", "o.id").where_(Expr.and(Expr.gte("i.id", Value.integer(from)),
                    Expr.lt("i.id", Value.integer(from + 1000)))), WIDE);
            long s = 0;
            for (final Row row : r.rows())
            {
                s += ((Value.Int)row.get(0)).value() + ((Value.Text)row.get(1)).value().length();
            }
            return s;
        }
        d.join1k.setInt(1, from);
        d.join1k.setInt(2, from + 1000);
        long s = 0;
        try (ResultSet rs = d.join1k.executeQuery())
        {
            while (rs.next())
            {
                s += rs.getInt(1) + rs.getString(2).length();
            }
        }
        return s;
    }
}
