package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-allocation table handle through the public API only: keys encoded by {@link TableHandle#encodeKey} find
 * their rows, {@link TableHandle#decodeRow} gives back what was written, and a scan visits rows in key order.
 * Seeded: {@code -Daedb.tablehandle.seed=N} replays a run.
 */
class TableHandleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadRowsByEncodedKeyAndScanThemInKeyOrder()
    {
        final long seed = Long.getLong("aedb.tablehandle.seed", System.nanoTime());
        System.out.println("TableHandleTest seed=" + seed + " (rerun with -Daedb.tablehandle.seed=" + seed + ")");
        final Random random = new Random(seed);
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final TreeMap<Long, String> expected = new TreeMap<>();
            for (int i = 0; i < 300; i++)
            {
                final long id = random.nextInt(2000) - 1000;
                final String name = "user-" + random.nextInt();
                db.commit(TestSupport.user(id, name));
                expected.put(id, name);
            }
            final TableHandle handle = db.tableHandle("p", "app", "users");
            for (final var e : expected.entrySet())
            {
                final byte[] key = handle.encodeKey(List.of(Value.integer(e.getKey())));
                final Row[] seen = new Row[1];
                assertTrue(handle.get(new UnsafeBuffer(key), 0, key.length, (buf, off, len, version) ->
                {
                    seen[0] = handle.decodeRow(buf, off, len);
                    return true;
                }), "row " + e.getKey());
                assertEquals(Row.of(Value.integer(e.getKey()), Value.text(e.getValue()), Value.NULL), seen[0]);
            }
            final byte[] absent = handle.encodeKey(List.of(Value.integer(5000)));
            assertFalse(handle.get(new UnsafeBuffer(absent), 0, absent.length, (buf, off, len, version) -> true));

            final List<Long> scanned = new ArrayList<>();
            handle.scan(null, 0, 0, Integer.MAX_VALUE, (buf, off, len, version) ->
            {
                scanned.add(((Value.Int)handle.decodeRow(buf, off, len).get(0)).value());
                return true;
            });
            assertEquals(new ArrayList<>(expected.keySet()), scanned, "scan order is key order (signed integers)");

            final byte[] from = handle.encodeKey(List.of(Value.integer(0)));
            final List<Long> tail = new ArrayList<>();
            handle.scan(new UnsafeBuffer(from), 0, from.length, Integer.MAX_VALUE, (buf, off, len, version) ->
            {
                tail.add(((Value.Int)handle.decodeRow(buf, off, len).get(0)).value());
                return true;
            });
            assertEquals(new ArrayList<>(expected.tailMap(0L, true).keySet()), tail);
            assertArrayEquals(from, handle.encodeKey(List.of(Value.integer(0))), "encoding is deterministic");
        }
    }

    /** The handle follows the catalog: a dropped table is TABLE_NOT_FOUND, one created again is read anew. */
    @Test
    void shouldFollowTheTableThroughDropAndRecreate()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            db.commit(TestSupport.user(1, "old"));
            final TableHandle handle = db.tableHandle("p", "app", "users");
            final byte[] key = handle.encodeKey(List.of(Value.integer(1)));
            final UnsafeBuffer k = new UnsafeBuffer(key);
            final Row[] seen = new Row[1];
            final RowVisitor keep = (buf, off, len, version) ->
            {
                seen[0] = handle.decodeRow(buf, off, len);
                return true;
            };
            assertTrue(handle.get(k, 0, key.length, keep));
            assertEquals(Value.text("old"), seen[0].get(1));

            db.commit(new dev.aedb.model.Mutation.Ddl(new dev.aedb.model.DdlOperation.DropTable("p", "app", "users", false)));
            TestSupport.expect(ErrorCode.TABLE_NOT_FOUND, () -> handle.get(k, 0, key.length, keep));
            TestSupport.expect(ErrorCode.TABLE_NOT_FOUND, () -> handle.get(k, 0, key.length, keep));

            db.commit(new dev.aedb.model.Mutation.Ddl(new dev.aedb.model.DdlOperation.CreateTable("p", "app", "users", null,
                List.of(dev.aedb.model.ColumnDef.of("id", dev.aedb.model.ColumnType.INTEGER),
                    dev.aedb.model.ColumnDef.of("name", dev.aedb.model.ColumnType.TEXT),
                    dev.aedb.model.ColumnDef.nullable("age", dev.aedb.model.ColumnType.INTEGER)), List.of("id"))));
            assertFalse(handle.get(k, 0, key.length, keep), "the new table is empty");
            db.commit(TestSupport.user(1, "new"));
            assertTrue(handle.get(k, 0, key.length, keep));
            assertEquals(Value.text("new"), seen[0].get(1));
        }
    }

    @Test
    void shouldRejectKeysThatDoNotFitTheTable()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            TestSupport.usersTable(db);
            final TableHandle handle = db.tableHandle("p", "app", "users");
            assertEquals(ErrorCode.TYPE_MISMATCH,
                assertThrows(AedbException.class, () -> handle.encodeKey(List.of(Value.text("1")))).code());
            assertEquals(ErrorCode.ARITY_MISMATCH, assertThrows(AedbException.class,
                () -> handle.encodeKey(List.of(Value.integer(1), Value.integer(2)))).code());
            assertEquals(ErrorCode.NULL_NOT_ALLOWED,
                assertThrows(AedbException.class, () -> handle.encodeKey(List.of(Value.NULL))).code());
            assertEquals(ErrorCode.TABLE_NOT_FOUND, assertThrows(AedbException.class,
                () -> db.tableHandle("p", "app", "missing").encodeKey(List.of(Value.integer(1)))).code());
        }
    }
}
