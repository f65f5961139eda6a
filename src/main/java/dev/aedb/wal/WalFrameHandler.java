package dev.aedb.wal;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Receives WAL excerpts during replay, in order.
 */
@FunctionalInterface
public interface WalFrameHandler
{
    /**
     * @param frame    the excerpt bytes, valid only during the call.
     * @param length   excerpt length.
     * @param index    the Chronicle index of the excerpt.
     * @param file     the cycle file holding it.
     * @param position the byte position of the excerpt in that file.
     */
    void onFrame(UnsafeBuffer frame, int length, long index, String file, long position);
}
