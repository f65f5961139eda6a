package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Shared helpers for engine tests. */
final class TestSupport
{
    private TestSupport()
    {
    }

    static AedbConfig smallConfig()
    {
        return new AedbConfig().storeSegmentBytes(4 << 20).maxValueBytes(256 * 1024);
    }

    /**
     * {@link #smallConfig()} without the checkpoint at close: for tests of the WAL itself, whose reopen must read the
     * frames they damaged (a checkpoint at close would hold them, and replay would start after them).
     */
    static AedbConfig walOnly()
    {
        return smallConfig().checkpointOnClose(false);
    }

    static AedbInstance open(final Path dir)
    {
        return AedbInstance.open(smallConfig(), dir);
    }

    static byte[] b(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(final byte[] b)
    {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Creates project p with table users(id INTEGER pk, name TEXT, age INTEGER nullable). */
    static void usersTable(final AedbInstance db)
    {
        db.createProject("p");
        db.commit(new Mutation.Ddl(new DdlOperation.CreateTable("p", "app", "users", null,
            List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT),
                ColumnDef.nullable("age", ColumnType.INTEGER)), List.of("id"))));
    }

    static Mutation.Upsert user(final long id, final String name)
    {
        return new Mutation.Upsert("p", "app", "users", List.of(Value.integer(id)),
            Row.of(Value.integer(id), Value.text(name), Value.NULL));
    }

    static Mutation.Insert insertUser(final long id, final String name)
    {
        return new Mutation.Insert("p", "app", "users", List.of(Value.integer(id)),
            Row.of(Value.integer(id), Value.text(name), Value.NULL));
    }

    /** Creates project p and commits {@code commits} KV pairs {@code k<i> = value-<i>} (seqs 2..commits + 1), then closes (no checkpoint: the WAL holds them all). */
    static void writeKv(final Path dir, final int commits)
    {
        try (AedbInstance db = AedbInstance.open(walOnly(), dir))
        {
            db.createProject("p");
            for (int i = 0; i < commits; i++)
            {
                db.commit(kvSet("k" + i, "value-" + i));
            }
        }
    }

    static Mutation.KvSet kvSet(final String key, final String value)
    {
        return new Mutation.KvSet("p", "app", b(key), b(value));
    }

    /** XORs the byte at {@code offset} of {@code file} with {@code mask}. */
    static void xorByte(final java.nio.file.Path file, final long offset, final int mask) throws java.io.IOException
    {
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            final int v = raf.read();
            raf.seek(offset);
            raf.write(v ^ mask);
        }
    }

    /** Deletes a directory tree. @return whether it existed. */
    static boolean deleteTree(final java.nio.file.Path root) throws java.io.IOException
    {
        if (!java.nio.file.Files.exists(root))
        {
            return false;
        }
        try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(root))
        {
            for (final java.nio.file.Path p : (Iterable<java.nio.file.Path>)paths.sorted(java.util.Comparator.reverseOrder())::iterator)
            {
                java.nio.file.Files.delete(p);
            }
        }
        return true;
    }

    static AedbException expect(final ErrorCode code, final org.junit.jupiter.api.function.Executable action)
    {
        final AedbException ex = assertThrows(AedbException.class, action);
        assertEquals(code, ex.code(), () -> "wrong code for: " + ex.getMessage());
        return ex;
    }
}
