package dev.aedb;

import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A KV handle keeps the key space of the catalog version it last read, and follows the catalog: a scope dropped under
 * it is SCOPE_NOT_FOUND, and a scope created again under the same name is read anew (its old key space is not kept).
 */
class KvHandleTest
{
    @TempDir
    Path dir;

    @Test
    void shouldFollowTheScopeThroughDropAndRecreate()
    {
        try (AedbInstance db = TestSupport.open(dir))
        {
            db.createProject("p");
            db.createScope("p", "s");
            final KvHandle handle = db.kvHandle("p", "s");
            final UnsafeBuffer key = new UnsafeBuffer(bytes("k"));
            final ExpandableArrayBuffer dst = new ExpandableArrayBuffer(16);
            assertEquals(-1, handle.get(key, 0, key.capacity(), dst, 0));
            db.commit(new Mutation.KvSet("p", "s", bytes("k"), bytes("old")));
            assertEquals("old", read(handle, key, dst));
            db.createProject("q"); // DDL elsewhere: a new catalog version, the same scope
            assertEquals("old", read(handle, key, dst));

            db.dropScope("p", "s");
            TestSupport.expect(ErrorCode.SCOPE_NOT_FOUND, () -> handle.get(key, 0, key.capacity(), dst, 0));
            TestSupport.expect(ErrorCode.SCOPE_NOT_FOUND, () -> handle.get(key, 0, key.capacity(), dst, 0));

            db.createScope("p", "s");
            assertEquals(-1, handle.get(key, 0, key.capacity(), dst, 0), "the new scope is empty");
            db.commit(new Mutation.KvSet("p", "s", bytes("k"), bytes("new")));
            assertEquals("new", read(handle, key, dst));
            assertEquals(1, handle.scan(null, 0, 0, 10, (kb, ko, kl, vb, vo, vl, v) -> true));
        }
    }

    private static String read(final KvHandle handle, final UnsafeBuffer key, final ExpandableArrayBuffer dst)
    {
        final int n = handle.get(key, 0, key.capacity(), dst, 0);
        return dst.getStringWithoutLengthAscii(0, n);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
