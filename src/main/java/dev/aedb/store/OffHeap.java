package dev.aedb.store;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.ref.Cleaner;

/**
 * Large off-heap arrays allocated without holding up the JVM's safepoints.
 * <p>
 * {@code ByteBuffer.allocateDirect} zeroes its memory in one {@code Unsafe.setMemory} call, and a thread inside it
 * cannot reach a safepoint: every other thread that reaches one (for a GC, the periodic cleanup, a deoptimisation)
 * stops there until the zeroing ends. Measured on this project's 2 vCPU machines: {@code allocateDirect(256 MiB)} takes
 * ~200 ms, and a safepoint requested meanwhile waited 155-212 ms to be reached (`-Xlog:safepoint`); a checkpoint's hash
 * array of a 4 M-key store (128 MiB) stalled every commit and read for 171 ms that way. Here the memory comes from
 * {@code Unsafe.allocateMemory} (which does not touch it) and is zeroed {@value #CHUNK} bytes per call, with the loop's
 * safepoint polls between the calls.
 * <p>
 * An allocation is freed by {@link Allocation#free()}, or, if that is never called, once its buffer is unreachable (a
 * {@link Cleaner}, as a direct {@code ByteBuffer} is freed): the memory lives while any thread holds the buffer. It is
 * not counted against {@code -XX:MaxDirectMemorySize}.
 */
final class OffHeap
{
    /** Bytes zeroed or copied per call, between which the thread can reach a safepoint (~50-100 us each here). */
    static final int CHUNK = 1 << 20;

    private static final Cleaner CLEANER = Cleaner.create(r ->
    {
        final Thread t = new Thread(r, "aedb-offheap-cleaner");
        t.setDaemon(true);
        return t;
    });

    private OffHeap()
    {
    }

    /**
     * @param bytes     at most {@code Integer.MAX_VALUE - alignment}.
     * @param alignment a power of two.
     * @return {@code bytes} of zeroed memory at an address that is a multiple of {@code alignment}.
     * @throws OutOfMemoryError when the memory cannot be had.
     */
    static Allocation allocateZeroed(final int bytes, final int alignment)
    {
        final Allocation a = allocate(bytes, alignment);
        zero(a.buffer.addressOffset(), bytes);
        return a;
    }

    /** As {@link #allocateZeroed}, but the memory holds whatever it held: for buffers written in full before read. */
    static Allocation allocate(final int bytes, final int alignment)
    {
        if (bytes < 0 || Integer.bitCount(alignment) != 1 || bytes > Integer.MAX_VALUE - alignment)
        {
            throw new IllegalArgumentException("bytes=" + bytes + ", alignment=" + alignment);
        }
        final long raw = UnsafeApi.allocateMemory((long)bytes + alignment);
        final long address = (raw + alignment - 1) & -(long)alignment;
        final UnsafeBuffer buffer = new UnsafeBuffer(address, bytes);
        return new Allocation(buffer, CLEANER.register(buffer, new Free(raw)));
    }

    /** Zeroes {@code bytes} at {@code address}, {@value #CHUNK} per call. */
    static void zero(final long address, final long bytes)
    {
        for (long done = 0; done < bytes; done += CHUNK)
        {
            UnsafeApi.setMemory(address + done, Math.min(CHUNK, bytes - done), (byte)0);
        }
    }

    /** Copies {@code bytes} from {@code from} to {@code to} (not overlapping), {@value #CHUNK} per call. */
    static void copy(final long from, final long to, final long bytes)
    {
        for (long done = 0; done < bytes; done += CHUNK)
        {
            UnsafeApi.copyMemory(from + done, to + done, Math.min(CHUNK, bytes - done));
        }
    }

    /** Off-heap memory and the buffer over it. */
    static final class Allocation
    {
        private final UnsafeBuffer buffer;
        private final Cleaner.Cleanable cleanable;

        private Allocation(final UnsafeBuffer buffer, final Cleaner.Cleanable cleanable)
        {
            this.buffer = buffer;
            this.cleanable = cleanable;
        }

        /** @return the buffer over the memory; valid until {@link #free()}. */
        UnsafeBuffer buffer()
        {
            return buffer;
        }

        /** Frees the memory now (at most once, whoever calls it); the buffer must not be used after. */
        void free()
        {
            cleanable.clean();
        }
    }

    /** Frees the memory: what the cleaner runs (it must not refer to the buffer, or the buffer would never be freed). */
    private record Free(long raw) implements Runnable
    {
        @Override
        public void run()
        {
            UnsafeApi.freeMemory(raw);
        }
    }
}
