package dev.aedb.codec;

import dev.aedb.model.CallerContext;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoder's buffer is sized once for key-value envelopes (the size hint bounds the encoding, so the buffer never
 * grows), and strings written by the ASCII path are byte for byte what UTF-8 gives, beside the ones that are not ASCII.
 */
class EnvelopeSizeTest
{
    private static final String[] NAMES = {"p", "scope-1", "", "é", "日本語", "a\uD83D\uDE00b", "\u007F", "\u0080", "x".repeat(300)};

    @Test
    void shouldBoundTheEncodingOfKeyValueEnvelopesSoTheBufferNeverGrows()
    {
        final long seed = Long.getLong("aedb.envelope.seed", System.nanoTime());
        System.out.println("EnvelopeSizeTest seed: -Daedb.envelope.seed=" + seed);
        final Random random = new Random(seed);
        for (int round = 0; round < 2_000; round++)
        {
            final List<Mutation> mutations = new ArrayList<>();
            final int n = 1 + random.nextInt(random.nextBoolean() ? 3 : 300);
            for (int i = 0; i < n; i++)
            {
                final byte[] key = bytes(random, 1 + random.nextInt(64));
                final String project = NAMES[random.nextInt(NAMES.length)];
                final String scope = NAMES[random.nextInt(NAMES.length)];
                mutations.add(random.nextInt(4) == 0 ? new Mutation.KvDel(project, scope, key)
                    : new Mutation.KvSet(project, scope, key, bytes(random, random.nextInt(2_000))));
            }
            final CallerContext caller = random.nextBoolean() ? null
                : CallerContext.of(random.nextBoolean() ? "caller-" + round : "呼び出し元");
            final byte[] idempotencyKey = random.nextBoolean() ? null : bytes(random, 1 + random.nextInt(64));
            final TransactionEnvelope envelope = new TransactionEnvelope(caller, idempotencyKey, null, mutations);
            final int hint = EnvelopeCodec.sizeHint(envelope, Integer.MAX_VALUE);
            final ByteWriter w = new ByteWriter(hint);
            EnvelopeCodec.encode(envelope, new byte[EnvelopeCodec.FINGERPRINT_LENGTH], w);
            assertTrue(w.position() <= hint, "seed " + seed + " round " + round + ": encoded " + w.position() + " > hint " + hint);
            assertEquals(hint, w.array().length, "the buffer grew (seed " + seed + ", round " + round + ")");
        }
    }

    @Test
    void shouldCapTheHintAtTheEnvelopeLimit()
    {
        final TransactionEnvelope envelope = TransactionEnvelope.of(new Mutation.KvSet("p", "s", new byte[8], new byte[10_000]));
        assertEquals(1_000, EnvelopeCodec.sizeHint(envelope, 1_000));
    }

    @Test
    void shouldWriteEveryStringAsItsUtf8BytesAndReadItBack()
    {
        final ByteWriter w = new ByteWriter(16);
        for (final String s : NAMES)
        {
            w.putString(s);
        }
        w.putString(null);
        final UnsafeBuffer written = new UnsafeBuffer(w.toByteArray());
        final ByteReader r = new ByteReader().wrap(written, 0, written.capacity());
        final ByteReader raw = new ByteReader().wrap(written, 0, written.capacity());
        for (final String s : NAMES)
        {
            final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(utf8.length, raw.getInt(), s);
            assertArrayEquals(utf8, raw.getBytes(utf8.length), s);
            assertEquals(s, r.getString());
        }
        assertNull(r.getString());
    }

    @Test
    void shouldRefuseAStringBeyondTheLimitWithoutWritingAnyOfIt()
    {
        final ByteWriter w = new ByteWriter(16).limit(20);
        w.putString("abc");
        final int before = w.position();
        assertThrows(ByteWriter.LimitExceededException.class, () -> w.putString("x".repeat(20)));
        assertEquals(before, w.position());
        w.putString("abcdefgh"); // still usable: 4 + 8 bytes fit in what is left
        assertEquals(before + 12, w.position());
    }

    private static byte[] bytes(final Random random, final int length)
    {
        final byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }
}
