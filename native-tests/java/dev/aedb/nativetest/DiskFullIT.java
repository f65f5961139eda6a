package dev.aedb.nativetest;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.KvGetResult;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real full disk: a 48 MiB tmpfs, filled through the engine by a child JVM. Chronicle's WAL files are sparse and
 * memory-mapped, so without the engine's guards the child would die of SIGBUS. It must instead stop with a typed
 * error, exit normally, and every acknowledged commit must read back afterwards. Needs root (to mount), as CI has.
 */
class DiskFullIT
{
    private static void run(final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timeout: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed (this test needs root to mount a tmpfs): " + out);
    }

    private static long fill(final Path data, final long minFreeBytes, final String expectedCode) throws Exception
    {
        long acked = -1;
        String refused = null;
        try (ChildJvm child = ChildJvm.start(true, DiskFiller.class, data.getParent().resolveSibling(data.getFileName() + ".stderr"),
            data.toString(), Long.toString(minFreeBytes)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String line;
            while ((line = child.nextLine(deadline)) != null)
            {
                if (line.startsWith("ACK "))
                {
                    acked = Long.parseLong(line.substring(4));
                }
                else if (line.startsWith("REFUSED "))
                {
                    refused = line;
                }
            }
            assertTrue(child.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, child.process().exitValue(), "the child must not crash (SIGBUS exits 134/135); stderr:\n" + child.stderr());
            assertNotNull(refused, "the child must end with a typed refusal; stderr:\n" + child.stderr());
            assertTrue(refused.startsWith("REFUSED " + expectedCode), refused);
            System.out.println("DiskFullIT minFree=" + minFreeBytes + ": acked " + (acked + 1) + " commits, then " + refused);
        }
        return acked;
    }

    @Test
    void shouldRefuseCommitsWithATypedErrorWhenTheDiskIsFullAndKeepAcknowledgedData() throws Exception
    {
        final Path mount = Files.createTempDirectory("aedb-diskfull");
        run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString());
        try
        {
            // 1. The free-space floor (default-like) refuses before anything is written.
            final Path guarded = Files.createDirectories(mount.resolve("guarded"));
            assertEquals(-1, fill(guarded.resolve("data"), 256L << 20, "disk_full"));

            // 2. With the floor off, the WAL pre-allocation or the arena's pre-written segments hit ENOSPC: DISK_FULL,
            //    the envelope is rolled back and the engine stays usable.
            final Path deep = Files.createDirectories(mount.resolve("deep"));
            final Path data = deep.resolve("data");
            final long acked = fill(data, 0, "disk_full");
            assertTrue(acked > 100, "the disk should hold a few MiB of commits first, acked=" + acked);
            run("sh", "-c", "rm -rf " + guarded); // make room so recovery can build its store
            try (AedbInstance db = AedbInstance.open(new AedbConfig().storeSegmentBytes(1 << 20).maxValueBytes(64 * 1024).minFreeDiskBytes(0), data))
            {
                for (long n = 0; n <= acked; n++)
                {
                    final KvGetResult r = db.kvGet("full", "app", ("k" + n).getBytes(StandardCharsets.UTF_8));
                    assertTrue(r.found(), "acknowledged commit k" + n + " lost");
                }
            }
        }
        finally
        {
            run("umount", "-l", mount.toString()); // lazy: Chronicle unmaps its chunks on a background thread
            Files.deleteIfExists(mount);
        }
    }
}
