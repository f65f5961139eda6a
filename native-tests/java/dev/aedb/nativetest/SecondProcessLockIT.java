package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.KvGetResult;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory held open by another process cannot be opened (DATABASE_LOCKED, at once); once that process is
 * killed with SIGKILL, it can.
 */
class SecondProcessLockIT
{
    @Test
    void secondProcessIsLockedOutUntilTheOwnerDies() throws Exception
    {
        final Path root = Files.createTempDirectory("aedb-lock-");
        final Path data = root.resolve("data");
        boolean passed = false;
        try
        {
            long holderPid;
            try (ChildJvm holder = ChildJvm.start(true, LockHolder.class, root.resolve("holder.err"), data.toString()))
            {
                holderPid = holder.process().pid();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                String line;
                do
                {
                    line = holder.nextLine(deadline);
                    assertTrue(line != null, "holder exited before OPEN; stderr:\n" + holder.stderr());
                }
                while (!line.equals("OPEN"));

                final long start = System.nanoTime();
                final AedbException ex = assertThrows(AedbException.class, () -> AedbInstance.open(data).close());
                final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(ErrorCode.DATABASE_LOCKED, ex.code(), "unexpected failure: " + ex);
                assertTrue(millis < 5_000, "DATABASE_LOCKED took " + millis + " ms");
                assertTrue(holder.process().isAlive(), "holder died while locked out");
                System.out.println("SecondProcessLockIT: locked out in " + millis + " ms: " + ex.getMessage());

                holder.kill(); // SIGKILL: no close, no unlock, no sync
                assertFalse(holder.process().isAlive());
            }
            try (AedbInstance db = AedbInstance.open(data))
            {
                final KvGetResult r = db.kvGet(LockHolder.PROJECT, LockHolder.SCOPE, LockHolder.KEY);
                assertTrue(r.found(), "the holder's commit is lost");
                assertEquals(Long.toString(holderPid), new String(r.value(), StandardCharsets.US_ASCII));
            }
            passed = true;
        }
        finally
        {
            if (passed)
            {
                ChildJvm.deleteTree(root);
            }
            else
            {
                System.out.println("SecondProcessLockIT failed; data kept in " + root);
            }
        }
    }
}
