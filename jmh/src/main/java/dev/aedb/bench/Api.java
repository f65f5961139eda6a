package dev.aedb.bench;

/** The {@code api} parameter of the read benchmarks: which of an engine's read APIs is measured. */
final class Api
{
    /** The zero-allocation or buffer API (aedb's {@code KvHandle}, LMDB's views, RocksDB's direct buffers). */
    static final String HANDLE = "handle";
    /** The ordinary byte[] API: every value (and scanned key) returned as a fresh array. */
    static final String BYTES = "bytes";

    private Api()
    {
    }

    /** @return whether {@code api} asks for the byte[] API; anything but the two names is refused. */
    static boolean bytes(final String api)
    {
        return switch (api)
        {
            case HANDLE -> false;
            case BYTES -> true;
            default -> throw new IllegalArgumentException("api=" + api + " is not " + HANDLE + " or " + BYTES);
        };
    }
}
