package dev.aedb.bench;

/**
 * The {@code phase} parameter of the read benchmarks: what happened to the loaded store before it is measured.
 */
final class Phase
{
    /** As loaded, never reopened (aedb: the data in its live arena, in insertion order). */
    static final String LOADED = "loaded";
    /** Closed cleanly after the load and opened again (aedb: served from the checkpoint image the close wrote). */
    static final String REOPENED = "reopened";

    private Phase()
    {
    }

    /** @return whether {@code phase} asks for a reopen; throws for an unknown value. */
    static boolean reopen(final String phase)
    {
        return switch (phase)
        {
            case LOADED -> false;
            case REOPENED -> true;
            default -> throw new IllegalArgumentException("phase=" + phase + " is not " + LOADED + " or " + REOPENED);
        };
    }
}
