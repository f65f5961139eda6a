package dev.aedb.store;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CRC32C of a message after 8 of its bytes changed, from the old CRC alone, against a CRC of the new bytes. */
class Crc32cPatchTest
{
    private static int crc(final byte[] bytes)
    {
        final CRC32C c = new CRC32C();
        c.update(bytes);
        return (int)c.getValue();
    }

    @Test
    void shouldMatchTheCrcOfThePatchedMessage()
    {
        final long seed = Long.getLong("aedb.crcpatch.seed", System.nanoTime());
        System.out.println("Crc32cPatchTest seed: -Daedb.crcpatch.seed=" + seed);
        final Random random = new Random(seed);
        for (int round = 0; round < 300; round++)
        {
            final int n = round < 10 ? 8 + round : 8 + random.nextInt(round < 290 ? 5000 : 5 << 20);
            final byte[] message = new byte[n];
            if (random.nextBoolean())
            {
                random.nextBytes(message);
            }
            int expected = crc(message);
            int patched = expected;
            for (int p = 0; p < 1 + random.nextInt(4); p++)
            {
                final int at = random.nextInt(n - 7);
                final ByteBuffer view = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
                final long from = view.getLong(at);
                final long to = random.nextLong();
                view.putLong(at, to);
                patched ^= Crc32cPatch.delta(from, to, n - at - 8);
            }
            expected = crc(message);
            assertEquals(expected, patched, "message of " + n + " bytes, round " + round);
        }
    }

    @Test
    void shouldLeaveAZeroRegisterZeroAndMoveThroughNoBytesUnchanged()
    {
        assertEquals(0, Crc32cPatch.throughZeros(0, 12345));
        assertEquals(0x1234_5678, Crc32cPatch.throughZeros(0x1234_5678, 0));
        assertEquals(0, Crc32cPatch.delta(42, 42, 99));
    }
}
