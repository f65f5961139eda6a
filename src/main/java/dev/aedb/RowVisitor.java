package dev.aedb;

import org.agrona.DirectBuffer;

/**
 * Receives encoded rows (decode one with {@link TableHandle#decodeRow}) from a zero-allocation read. The buffer is a view of
 * the store, valid only during the call.
 */
@FunctionalInterface
public interface RowVisitor
{
    /** @return true to continue a scan, false to stop it. */
    boolean visit(DirectBuffer row, int offset, int length, long version);
}
