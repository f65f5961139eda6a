package dev.aedb.cli;

/**
 * The operation types {@code aedb bench} mixes.
 */
enum BenchOp
{
    /** One envelope with one {@code KvSet}, acknowledged under the configured durability. */
    COMMIT("commit"),
    /** {@code KvHandle.get} of a random loaded key into the thread's reused buffer, value checked byte for byte. */
    GET("get"),
    /** {@code KvHandle.scan} of {@code --scan-length} consecutive loaded keys with the thread's reused visitor. */
    SCAN("scan");

    static final BenchOp[] ALL = values();

    /** The name in {@code --mix}, the table and the .hlog tags. */
    final String label;

    BenchOp(final String label)
    {
        this.label = label;
    }
}
