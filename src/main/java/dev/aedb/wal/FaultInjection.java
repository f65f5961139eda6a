package dev.aedb.wal;

/**
 * Test-only switches that make the WAL fail the way a real disk can. Production code never sets them; they are
 * static because the failure they model is a property of the machine, not of one instance.
 */
public final class FaultInjection
{
    private static volatile boolean failSync;
    private static volatile long freeSpaceOverride = -1;

    private FaultInjection()
    {
    }

    /** @param fail when true, every WAL sync throws an IOException. */
    public static void failSync(final boolean fail)
    {
        failSync = fail;
    }

    /** @param bytes usable bytes to report instead of the file system's; -1 to stop overriding. */
    public static void freeSpaceOverride(final long bytes)
    {
        freeSpaceOverride = bytes;
    }

    /** Clears every switch. */
    public static void reset()
    {
        failSync = false;
        freeSpaceOverride = -1;
    }

    static boolean syncFails()
    {
        return failSync;
    }

    static long freeSpaceOverride()
    {
        return freeSpaceOverride;
    }
}
