package dev.aedb.bench;

import java.util.Map;

/**
 * The rows of the results table: which JMH benchmark (and parameters) a row reads, which statistic it shows, whether
 * higher or lower is better, and why an engine has no number for it ("n/a": the engine cannot do that workload; the
 * benchmark's {@code engine} parameter list leaves it out).
 */
enum Workload
{
    DURABLE_P50("1. durable single-put commit, p50", "DurableCommitBench.commit", Statistic.P50, 1, "µs", false),
    DURABLE_P99("1. durable single-put commit, p99", "DurableCommitBench.commit", Statistic.P99, 1, "µs", false),
    BUFFERED_P50("2. buffered single-put commit, p50", "BufferedCommitBench.commit", Statistic.P50, 1, "µs", false),
    BUFFERED_P99("2. buffered single-put commit, p99", "BufferedCommitBench.commit", Statistic.P99, 1, "µs", false),
    BATCH("3. durable 100-put batch", "BatchCommitBench.commit100", Statistic.MEDIAN, BatchCommitBench.BATCH, "puts/s", true),
    GET_1("4. point get, 1 thread", "PointGetBench.getOneThread", Statistic.MEDIAN, 1, "gets/s", true),
    GET_2("4. point get, 2 threads", "PointGetBench.getTwoThreads", Statistic.MEDIAN, 1, "gets/s", true),
    GET_1_BYTES("4. point get, 1 thread, byte[] API", "PointGetBench.getOneThread", Statistic.MEDIAN, 1, "gets/s", true),
    SCAN("5. scan 100 entries", "ScanBench.scan100", Statistic.MEDIAN, 1, "scans/s", true),
    SCAN_BYTES("5. scan 100 entries, byte[] API", "ScanBench.scan100", Statistic.MEDIAN, 1, "scans/s", true),
    REOPEN("6. reopen after clean close", "ReopenBench.reopen", Statistic.MEDIAN, 1, "ms", false),
    RAW_FLOOR_P50("7. disk floor: 100-byte write + fdatasync, p50", "DurableCommitBench.rawForce", Statistic.P50, 1, "µs",
        false),
    RAW_FLOOR_P99("7. disk floor: 100-byte write + fdatasync, p99", "DurableCommitBench.rawForce", Statistic.P99, 1, "µs",
        false),
    GROUP_1("8. durable commits, 1 writer thread", "GroupCommitBench.writers1", Statistic.MEDIAN, 1, "commits/s", true),
    GROUP_2("8. durable commits, 2 writer threads", "GroupCommitBench.writers2", Statistic.MEDIAN, 1, "commits/s", true),
    GROUP_4("8. durable commits, 4 writer threads", "GroupCommitBench.writers4", Statistic.MEDIAN, 1, "commits/s", true),
    GROUP_8("8. durable commits, 8 writer threads", "GroupCommitBench.writers8", Statistic.MEDIAN, 1, "commits/s", true);

    /** What a row shows of a JMH result. */
    enum Statistic
    {
        /** The 50th percentile of all samples of a SampleTime benchmark (all forks). */
        P50,
        /** The 99th percentile of all samples of a SampleTime benchmark (all forks). */
        P99,
        /** The median of the measurement iteration scores (all forks) of a Throughput or SingleShotTime benchmark. */
        MEDIAN
    }

    private static final String NO_DURABLE_COMMIT = "Chronicle Map has no durable commit (no sync of any kind)";

    final String label;
    /** {@code Class.method} of the JMH benchmark, without the package. */
    final String benchmark;
    final Statistic statistic;
    /** What the JMH score is multiplied by (100 puts per batch). */
    final int factor;
    final String unit;
    final boolean higherIsBetter;

    Workload(final String label, final String benchmark, final Statistic statistic, final int factor, final String unit,
        final boolean higherIsBetter)
    {
        this.label = label;
        this.benchmark = benchmark;
        this.statistic = statistic;
        this.factor = factor;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** @return whether the row measures the disk rather than an engine (one value, no engine columns). */
    boolean engineless()
    {
        return this == RAW_FLOOR_P50 || this == RAW_FLOOR_P99;
    }

    /**
     * @return the parameters a JMH result must have to belong to this row (beyond its engine); a result without such a
     *         parameter at all (JSON from before it existed) matches too.
     */
    Map<String, String> requiredParams()
    {
        return switch (this)
        {
            case BATCH -> Map.of("mode", "DURABLE");
            case GET_1, GET_2, SCAN -> Map.of("phase", Phase.LOADED, "insertOrder", "random", "api", Api.HANDLE);
            case GET_1_BYTES, SCAN_BYTES -> Map.of("phase", Phase.LOADED, "insertOrder", "random", "api", Api.BYTES);
            default -> Map.of();
        };
    }

    /** @return why {@code engine} cannot run this workload, or null when it can. */
    String notApplicable(final String engine)
    {
        if (!Engine.CHRONICLE_MAP.equals(engine))
        {
            return null;
        }
        return switch (this)
        {
            case DURABLE_P50, DURABLE_P99, GROUP_1, GROUP_2, GROUP_4, GROUP_8 -> NO_DURABLE_COMMIT;
            case BATCH -> "Chronicle Map has no atomic multi-key batch and no durable commit";
            case SCAN, SCAN_BYTES -> "Chronicle Map is a hash map: no ordered scan";
            default -> null;
        };
    }
}
