package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link OffHeap}: zeroed and aligned memory across several zeroing chunks, copies across chunks, and a free that
 * happens once whoever calls it.
 */
class OffHeapTest
{
    private static final int BYTES = 3 * OffHeap.CHUNK + 4096 + 24; // ends inside a chunk

    @Test
    void shouldZeroEveryByteAndAlign()
    {
        final OffHeap.Allocation dirty = OffHeap.allocate(BYTES, 4096);
        dirty.buffer().setMemory(0, BYTES, (byte)0x5A); // memory that held something, as reused memory may
        dirty.free();
        for (final int alignment : new int[] {8, 64, 4096})
        {
            final OffHeap.Allocation a = OffHeap.allocateZeroed(BYTES, alignment);
            final UnsafeBuffer b = a.buffer();
            assertEquals(BYTES, b.capacity());
            assertEquals(0, b.addressOffset() % alignment, "aligned to " + alignment);
            for (int i = 0; i < BYTES; i += 8)
            {
                if (i + 8 <= BYTES && b.getLong(i) != 0)
                {
                    throw new AssertionError("byte " + i + " not zero (alignment " + alignment + ")");
                }
            }
            for (int i = BYTES - BYTES % 8; i < BYTES; i++)
            {
                assertEquals(0, b.getByte(i), "tail byte " + i);
            }
            a.free();
            a.free(); // at most once
        }
    }

    @Test
    void shouldCopyAcrossChunks()
    {
        final OffHeap.Allocation from = OffHeap.allocate(BYTES, 64);
        final OffHeap.Allocation to = OffHeap.allocateZeroed(BYTES, 64);
        for (int i = 0; i < BYTES; i++)
        {
            from.buffer().putByte(i, (byte)(i * 31 + 7));
        }
        OffHeap.copy(from.buffer().addressOffset(), to.buffer().addressOffset(), BYTES - 1);
        for (int i = 0; i < BYTES - 1; i++)
        {
            assertEquals((byte)(i * 31 + 7), to.buffer().getByte(i), "byte " + i);
        }
        assertEquals(0, to.buffer().getByte(BYTES - 1), "the byte after the copy is untouched");
        from.free();
        to.free();
    }

    @Test
    void shouldRejectBadSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(-1, 64));
        assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(64, 48));
        assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(Integer.MAX_VALUE, 64));
    }
}
