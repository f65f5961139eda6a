package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory lock against real second processes: a failed second open in the owner's JVM must not release the
 * owner's lock, and a LOCK file deleted under a running instance must make that instance stop writing before a
 * second process's commits can interleave with its own.
 */
class LockIntegrityIT
{
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(60);

    private static Mutation.KvSet set(final String key, final String value)
    {
        return new Mutation.KvSet(LockHolder.PROJECT, LockHolder.SCOPE, key.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8));
    }

    private static String get(final AedbInstance db, final byte[] key)
    {
        final var r = db.kvGet(LockHolder.PROJECT, LockHolder.SCOPE, key);
        return r.found() ? new String(r.value(), StandardCharsets.UTF_8) : null;
    }

    private static String firstLine(final ChildJvm child) throws InterruptedException
    {
        final String line = child.nextLine(System.nanoTime() + TIMEOUT);
        assertTrue(line != null, "child exited without a word; stderr:\n" + child.stderr());
        return line;
    }

    @Test
    void shouldKeepTheLockForOtherProcessesWhenASecondOpenInTheSameJvmFails() throws Exception
    {
        final Path root = Files.createTempDirectory("aedb-lock-same-jvm-");
        final Path data = root.resolve("data");
        try
        {
            try (AedbInstance db = AedbInstance.open(data))
            {
                db.createProject(LockHolder.PROJECT);
                db.commit(set("owner", "1"));
                assertEquals(ErrorCode.DATABASE_LOCKED, assertThrows(AedbException.class, () -> AedbInstance.open(data).close()).code());
                assertEquals(ErrorCode.DATABASE_LOCKED,
                    assertThrows(AedbException.class, () -> AedbInstance.open(data.resolve(".")).close()).code(),
                    "another spelling of the same directory");
                try (ChildJvm probe = ChildJvm.start(true, LockProbe.class, root.resolve("probe.err"), data.toString()))
                {
                    assertEquals("REFUSED DATABASE_LOCKED", firstLine(probe),
                        "after a failed same-JVM open, another process must still be locked out");
                }
                db.commit(set("owner", "2"));
            }
            try (ChildJvm probe = ChildJvm.start(true, LockProbe.class, root.resolve("probe2.err"), data.toString()))
            {
                assertEquals("OPENED", firstLine(probe), "once the owner closed, another process opens");
            }
            try (AedbInstance db = AedbInstance.open(data))
            {
                assertEquals("2", get(db, "owner".getBytes(StandardCharsets.UTF_8)));
            }
        }
        finally
        {
            ChildJvm.deleteTree(root);
        }
    }

    @Test
    void shouldStopWritingWhenTheLockFileIsDeletedAndAnotherProcessOpens() throws Exception
    {
        final Path root = Files.createTempDirectory("aedb-lock-deleted-");
        final Path data = root.resolve("data");
        try
        {
            final AedbInstance owner = AedbInstance.open(data);
            final long holderPid;
            try
            {
                owner.createProject(LockHolder.PROJECT);
                owner.commit(set("owner", "before"));
                Files.delete(data.resolve("LOCK"));
                try (ChildJvm holder = ChildJvm.start(true, LockHolder.class, root.resolve("holder.err"), data.toString()))
                {
                    holderPid = holder.process().pid();
                    assertEquals("OPEN", firstLine(holder), "the second process opens once LOCK is gone");
                    final AedbException ex = assertThrows(AedbException.class, () -> owner.commit(set("owner", "after")));
                    assertEquals(ErrorCode.LOCK_LOST, ex.code(), ex.getMessage());
                    assertTrue(ex.getMessage().contains("LOCK was replaced"), ex.getMessage());
                    assertEquals(ErrorCode.PREVIOUS_FAILURE,
                        assertThrows(AedbException.class, () -> owner.commit(set("owner", "later"))).code());
                    holder.kill();
                }
            }
            finally
            {
                owner.close();
            }
            try (AedbInstance db = AedbInstance.open(data))
            {
                assertEquals("before", get(db, "owner".getBytes(StandardCharsets.UTF_8)), "the owner's acknowledged commit");
                assertEquals(Long.toString(holderPid), get(db, LockHolder.KEY), "the second process's acknowledged commit");
            }
        }
        finally
        {
            ChildJvm.deleteTree(root);
        }
    }
}
