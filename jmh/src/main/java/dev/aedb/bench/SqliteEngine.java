package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.sqlite.SQLiteConfig;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite through sqlite-jdbc: one file {@code kv.sqlite}, one table {@code kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)
 * WITHOUT ROWID} (a B-tree clustered on the key, memcmp order), {@code journal_mode=WAL}, a 256 MiB page cache per
 * connection ({@code cache_size=-262144}), {@code busy_timeout} 60 s. DURABLE = {@code synchronous=FULL} (the WAL is
 * fsynced at every commit); BUFFERED = {@code synchronous=OFF} (never fsynced, also not at checkpoints). A put is one
 * autocommit {@code INSERT OR REPLACE}; a batch is {@code BEGIN IMMEDIATE}, 100 of them, {@code COMMIT}. Every session
 * has its own connection and prepared statements (a JDBC connection is not for concurrent use); the engine keeps one
 * more open for its lifetime. Reads are {@code SELECT v ... WHERE k = ?} and {@code SELECT k, v ... WHERE k >= ?
 * ORDER BY k LIMIT ?}; JDBC returns values as new arrays, so SQLite's reads allocate. {@link #flush()} runs
 * {@code PRAGMA wal_checkpoint(TRUNCATE)}.
 */
final class SqliteEngine implements Engine
{
    static final int CACHE_KIB = 262_144;
    static final int BUSY_TIMEOUT_MS = 60_000;

    private final SessionRegistry sessions = new SessionRegistry();
    private String url;
    private SyncMode mode;
    private Connection primary;

    @Override
    public void open(final Path dir, final SyncMode mode, final long capacity)
    {
        this.url = "jdbc:sqlite:" + dir.resolve("kv.sqlite");
        this.mode = mode;
        primary = connect();
        try (Statement st = primary.createStatement())
        {
            st.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
        }
        catch (final SQLException ex)
        {
            throw failure("create table", ex);
        }
    }

    private Connection connect()
    {
        final SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(mode == SyncMode.DURABLE ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.OFF);
        config.setCacheSize(-CACHE_KIB);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        try
        {
            return config.createConnection(url);
        }
        catch (final SQLException ex)
        {
            throw failure("connect to " + url, ex);
        }
    }

    @Override
    public boolean ordered()
    {
        return true;
    }

    @Override
    public Session session()
    {
        return sessions.add(new SqliteSession());
    }

    @Override
    public void flush()
    {
        try (Statement st = primary.createStatement())
        {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        catch (final SQLException ex)
        {
            throw failure("checkpoint", ex);
        }
    }

    @Override
    public void close()
    {
        sessions.closeAll();
        if (primary != null)
        {
            try
            {
                primary.close();
            }
            catch (final SQLException ex)
            {
                throw failure("close", ex);
            }
            primary = null;
        }
    }

    static IllegalStateException failure(final String what, final SQLException ex)
    {
        return new IllegalStateException("sqlite " + what + " failed: " + ex.getMessage(), ex);
    }

    private final class SqliteSession implements Session
    {
        private final Connection connection = connect();
        private final PreparedStatement put;
        private final PreparedStatement begin;
        private final PreparedStatement commit;
        private final PreparedStatement get;
        private final PreparedStatement scan;
        private final byte[] key = new byte[BenchData.KEY_BYTES];
        private final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
        private final UnsafeBuffer keyView = new UnsafeBuffer(new byte[0]);
        private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);

        SqliteSession()
        {
            try
            {
                put = connection.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
                begin = connection.prepareStatement("BEGIN IMMEDIATE");
                commit = connection.prepareStatement("COMMIT");
                get = connection.prepareStatement("SELECT v FROM kv WHERE k = ?");
                scan = connection.prepareStatement("SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?");
            }
            catch (final SQLException ex)
            {
                throw failure("prepare", ex);
            }
        }

        @Override
        public void put(final byte[] k, final byte[] v)
        {
            try
            {
                put.setBytes(1, k);
                put.setBytes(2, v);
                put.executeUpdate();
            }
            catch (final SQLException ex)
            {
                throw failure("insert", ex);
            }
        }

        @Override
        public void putBatch(final byte[][] keys, final byte[][] values)
        {
            try
            {
                begin.execute();
                for (int i = 0; i < keys.length; i++)
                {
                    put.setBytes(1, keys[i]);
                    put.setBytes(2, values[i]);
                    put.executeUpdate();
                }
                commit.execute();
            }
            catch (final SQLException ex)
            {
                throw failure("batch insert", ex);
            }
        }

        @Override
        public int get(final DirectBuffer keys, final int keyOffset)
        {
            keys.getBytes(keyOffset, key);
            try
            {
                get.setBytes(1, key);
                try (ResultSet rs = get.executeQuery())
                {
                    if (!rs.next())
                    {
                        return -1;
                    }
                    final byte[] found = rs.getBytes(1);
                    value.putBytes(0, found);
                    return found.length;
                }
            }
            catch (final SQLException ex)
            {
                throw failure("select", ex);
            }
        }

        @Override
        public DirectBuffer value()
        {
            return value;
        }

        @Override
        public int scan(final DirectBuffer keys, final int startOffset, final int limit, final EntryVisitor visitor)
        {
            keys.getBytes(startOffset, key);
            int visited = 0;
            try
            {
                scan.setBytes(1, key);
                scan.setInt(2, limit);
                try (ResultSet rs = scan.executeQuery())
                {
                    while (rs.next())
                    {
                        keyView.wrap(rs.getBytes(1));
                        valueView.wrap(rs.getBytes(2));
                        visitor.visit(keyView, 0, keyView.capacity(), valueView, 0, valueView.capacity());
                        visited++;
                    }
                }
            }
            catch (final SQLException ex)
            {
                throw failure("range select", ex);
            }
            return visited;
        }

        @Override
        public byte[] getBytes(final byte[] k)
        {
            try
            {
                get.setBytes(1, k);
                try (ResultSet rs = get.executeQuery())
                {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
            catch (final SQLException ex)
            {
                throw failure("select", ex);
            }
        }

        @Override
        public int scanBytes(final byte[] start, final int limit, final BytesVisitor visitor)
        {
            int visited = 0;
            try
            {
                scan.setBytes(1, start);
                scan.setInt(2, limit);
                try (ResultSet rs = scan.executeQuery())
                {
                    while (rs.next())
                    {
                        visitor.visit(rs.getBytes(1), rs.getBytes(2));
                        visited++;
                    }
                }
            }
            catch (final SQLException ex)
            {
                throw failure("range select", ex);
            }
            return visited;
        }

        @Override
        public void close()
        {
            try
            {
                connection.close();
            }
            catch (final SQLException ex)
            {
                throw failure("close", ex);
            }
            finally
            {
                sessions.remove(this);
            }
        }
    }
}
