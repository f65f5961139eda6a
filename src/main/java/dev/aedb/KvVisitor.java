package dev.aedb;

import org.agrona.DirectBuffer;

/**
 * Receives KV entries from a zero-allocation scan. The buffers are views of the store, valid only during the call.
 */
@FunctionalInterface
public interface KvVisitor
{
    /** @return true to continue, false to stop the scan. */
    boolean visit(DirectBuffer key, int keyOffset, int keyLength, DirectBuffer value, int valueOffset, int valueLength, long version);
}
