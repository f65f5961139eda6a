package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An image of many segments, read back byte by byte rather than through the store that would adopt it: every block's
 * CRC, every level of the skip list (each level links exactly the keys of a higher level, in key order, across segments
 * written long before their links were known), the version of each key at the image's seq, and the hash array. Keys
 * go in in random order, with tombstones and versions newer than the image's seq, one value larger than a segment.
 */
class StoreImageWriterTest
{
    private static final long ADDRESS_MASK = (1L << 48) - 1;

    @TempDir
    Path dir;

    private record Entry(long seq, byte[] value)
    {
    }

    @Test
    void shouldWriteAnImageWhoseEveryLevelAndHashSlotReadsBack() throws IOException
    {
        final long seed = Long.getLong("aedb.image.seed", System.nanoTime());
        System.out.println("StoreImageWriterTest seed: -Daedb.image.seed=" + seed);
        final Random random = new Random(seed);
        final int keys = 200_000;
        try (Store store = new Store(dir.resolve("store"), 16 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<String, Entry> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final List<Integer> order = new ArrayList<>();
            for (int i = 0; i < keys; i++)
            {
                order.add(i);
            }
            java.util.Collections.shuffle(order, random);
            long seq = 0;
            String big = null;
            for (final int k : order)
            {
                seq++;
                final byte[] kb = ("k" + Integer.toString(k * 7919 % 1_000_003, 36) + "-".repeat(random.nextInt(20)))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final byte[] value = new byte[seq == keys / 2 ? 5 << 20 : random.nextInt(200)];
                random.nextBytes(value);
                final long node = ks.findOrInsert(new UnsafeBuffer(kb), 0, kb.length, created);
                if (created[0])
                {
                    ks.push(node, seq, false, new UnsafeBuffer(value), 0, value.length);
                    model.put(new String(kb, java.nio.charset.StandardCharsets.US_ASCII), new Entry(seq, value));
                    big = value.length > StoreImageWriter.SEGMENT_BYTES ? new String(kb, java.nio.charset.StandardCharsets.US_ASCII) : big;
                }
                store.publishVisible(seq);
            }
            final List<String> names = new ArrayList<>(model.keySet());
            names.remove(big); // the value larger than a segment stays in the image
            for (int i = 0; i < keys / 10; i++) // deletes and rewrites at or below the image's seq
            {
                final String name = names.get(random.nextInt(names.size()));
                final byte[] kb = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final long node = ks.find(new UnsafeBuffer(kb), 0, kb.length);
                seq++;
                if (random.nextBoolean())
                {
                    ks.push(node, seq, true, new UnsafeBuffer(new byte[0]), 0, 0);
                    model.remove(name);
                }
                else
                {
                    final byte[] value = new byte[random.nextInt(120)];
                    random.nextBytes(value);
                    ks.push(node, seq, false, new UnsafeBuffer(value), 0, value.length);
                    model.put(name, new Entry(seq, value));
                }
                store.publishVisible(seq);
            }
            final long imageSeq = seq;
            for (int i = 0; i < keys / 10; i++) // newer than the image: not in it
            {
                final String name = names.get(random.nextInt(names.size()));
                final byte[] kb = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                seq++;
                ks.push(ks.find(new UnsafeBuffer(kb), 0, kb.length), seq, random.nextBoolean(), new UnsafeBuffer(new byte[3]), 0, 3);
                store.publishVisible(seq);
            }

            final Path file = dir.resolve("image");
            final int[] flushes = new int[1];
            final List<StoreImageWriter.Block> blocks;
            final StoreImageWriter.KeySpaceRecord record;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                try (StoreImageWriter writer = new StoreImageWriter(ch, 4096, () -> flushes[0]++))
                {
                    record = writer.write(ks, imageSeq);
                    blocks = writer.finish();
                }
            }
            assertEquals(model.size(), record.live());
            assertTrue(flushes[0] > 0, "an image of " + blocks.size() + " blocks was never flushed");
            verify(file, blocks, record, model, true);
        }
    }

    /**
     * A key space of which almost every key was deleted at or below the image's seq, and keys inserted after it: long
     * runs of key records the image leaves out, across the writer's read batches.
     */
    @Test
    void shouldWriteAMostlyDeletedKeySpace() throws IOException
    {
        final long seed = Long.getLong("aedb.image.seed", System.nanoTime());
        System.out.println("StoreImageWriterTest sparse seed: -Daedb.image.seed=" + seed);
        final Random random = new Random(seed);
        final int keys = 40_000;
        try (Store store = new Store(dir.resolve("store"), 16 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final TreeMap<String, Entry> model = new TreeMap<>();
            final boolean[] created = new boolean[1];
            final List<String> names = new ArrayList<>();
            long seq = 0;
            for (int i = 0; i < keys; i++)
            {
                final String name = "s" + Integer.toString(random.nextInt(1 << 30), 36);
                final byte[] kb = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final long node = ks.findOrInsert(new UnsafeBuffer(kb), 0, kb.length, created);
                if (created[0])
                {
                    final byte[] value = new byte[1 + random.nextInt(40)];
                    random.nextBytes(value);
                    seq++;
                    ks.push(node, seq, false, new UnsafeBuffer(value), 0, value.length);
                    store.publishVisible(seq);
                    if (random.nextInt(100) < 3)
                    {
                        model.put(name, new Entry(seq, value));
                    }
                    else
                    {
                        names.add(name);
                    }
                }
            }
            for (final String name : names)
            {
                final byte[] kb = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                seq++;
                ks.push(ks.find(new UnsafeBuffer(kb), 0, kb.length), seq, true, new UnsafeBuffer(new byte[0]), 0, 0);
                store.publishVisible(seq);
            }
            final long imageSeq = seq;
            for (int i = 0; i < keys / 10; i++) // inserted after the image's seq: not in it
            {
                final byte[] kb = ("t" + Integer.toString(random.nextInt(1 << 30), 36)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final long node = ks.findOrInsert(new UnsafeBuffer(kb), 0, kb.length, created);
                seq++;
                ks.push(node, seq, false, new UnsafeBuffer(new byte[3]), 0, 3);
                store.publishVisible(seq);
            }
            final Path file = dir.resolve("image");
            final List<StoreImageWriter.Block> blocks;
            final StoreImageWriter.KeySpaceRecord record;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                try (StoreImageWriter writer = new StoreImageWriter(ch, 4096))
                {
                    record = writer.write(ks, imageSeq);
                    blocks = writer.finish();
                }
            }
            assertEquals(model.size(), record.live());
            verify(file, blocks, record, model, false);
        }
    }

    /**
     * The same key space written through the page cache and through a second channel (opened with {@code O_DIRECT}
     * where the file system offers it): the files are byte for byte the same, the second is never flushed by the
     * writer, and every one of its block writes went past the pacer in pieces of at most {@link
     * StoreImageWriter#WRITE_PIECE}, the pieces adding up to the blocks.
     */
    @Test
    void shouldWriteTheSameBytesThroughADirectChannelInPacedPieces() throws IOException
    {
        final long seed = Long.getLong("aedb.image.seed", System.nanoTime());
        System.out.println("StoreImageWriterTest direct seed: -Daedb.image.seed=" + seed);
        final Random random = new Random(seed);
        try (Store store = new Store(dir.resolve("store"), 16 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            long seq = 0;
            for (int i = 0; i < 150_000; i++)
            {
                final byte[] kb = ("d" + Integer.toString(random.nextInt(1 << 30), 36)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                final byte[] value = new byte[i == 1000 ? 5 << 20 : random.nextInt(200)]; // one larger than a segment
                random.nextBytes(value);
                final long node = ks.findOrInsert(new UnsafeBuffer(kb), 0, kb.length, created);
                seq++;
                ks.push(node, seq, false, new UnsafeBuffer(value), 0, value.length);
                store.publishVisible(seq);
            }
            final Path viaCache = dir.resolve("cached");
            final int[] cacheFlushes = new int[1];
            final List<StoreImageWriter.Block> cacheBlocks;
            try (FileChannel ch = FileChannel.open(viaCache, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                StoreImageWriter writer = new StoreImageWriter(ch, 4096, () -> cacheFlushes[0]++))
            {
                writer.write(ks, seq);
                cacheBlocks = writer.finish();
            }

            final Path viaBulk = dir.resolve("bulk");
            final int[] bulkFlushes = new int[1];
            final List<Integer> pieces = new ArrayList<>();
            final List<StoreImageWriter.Block> bulkBlocks;
            try (FileChannel ch = FileChannel.open(viaBulk, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel bulk = openBulk(viaBulk);
                StoreImageWriter writer = new StoreImageWriter(ch, bulk, 4096, () -> bulkFlushes[0]++,
                    new java.util.concurrent.atomic.AtomicLong(), pieces::add)) // the I/O thread alone adds
            {
                writer.write(ks, seq);
                bulkBlocks = writer.finish(); // waits for the I/O thread: its adds are visible after
            }
            assertEquals(cacheBlocks, bulkBlocks);
            assertEquals(-1L, java.nio.file.Files.mismatch(viaCache, viaBulk), "the two images differ");
            assertTrue(cacheFlushes[0] > 0, "an image of " + cacheBlocks.size() + " blocks through the page cache was never flushed");
            assertEquals(0, bulkFlushes[0], "a channel of its own is not flushed every 16 MiB");
            long blockBytes = 0;
            for (final StoreImageWriter.Block b : bulkBlocks)
            {
                blockBytes += b.length();
            }
            long pieceBytes = 0;
            for (final int n : pieces)
            {
                assertTrue(n > 0 && n <= StoreImageWriter.WRITE_PIECE, "a piece of " + n + " bytes");
                pieceBytes += n;
            }
            assertEquals(blockBytes, pieceBytes);
            assertTrue(pieces.size() >= blockBytes / StoreImageWriter.WRITE_PIECE, pieces.size() + " pieces");
        }
    }

    /**
     * A bulk channel whose writes all fail (a file system that opens {@code O_DIRECT} and refuses the writes): the
     * first failed write is written again through the page cache and so is the rest, so the image is the same as one
     * written through the page cache alone, and the bulk channel was tried once.
     */
    @Test
    void shouldFallBackToThePageCacheWhenADirectWriteFails() throws IOException
    {
        try (Store store = new Store(dir.resolve("store"), 16 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            for (int i = 0; i < 60_000; i++)
            {
                final byte[] kb = String.format("f%08d", i * 7919 % 60_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                ks.push(ks.findOrInsert(new UnsafeBuffer(kb), 0, kb.length, created), i + 1, false, new UnsafeBuffer(new byte[90]), 0, 90);
                store.publishVisible(i + 1);
            }
            final Path viaCache = dir.resolve("cached");
            final List<StoreImageWriter.Block> cacheBlocks;
            try (FileChannel ch = FileChannel.open(viaCache, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                StoreImageWriter writer = new StoreImageWriter(ch, 4096))
            {
                writer.write(ks, 60_000);
                cacheBlocks = writer.finish();
            }
            final Path viaFallback = dir.resolve("fallback");
            final RefusingChannel refusing = new RefusingChannel();
            final List<StoreImageWriter.Block> fallbackBlocks;
            try (FileChannel ch = FileChannel.open(viaFallback, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
                StoreImageWriter writer = new StoreImageWriter(ch, refusing, 4096, () -> { }, new java.util.concurrent.atomic.AtomicLong(),
                    StoreImageWriter.Pacer.NONE))
            {
                writer.write(ks, 60_000);
                fallbackBlocks = writer.finish();
            }
            assertTrue(cacheBlocks.size() > 2, cacheBlocks.size() + " blocks");
            assertEquals(cacheBlocks, fallbackBlocks);
            assertEquals(-1L, java.nio.file.Files.mismatch(viaCache, viaFallback), "the two images differ");
            assertEquals(1, refusing.writes, "the refusing channel is tried once, then left alone");
        }
    }

    /** Refuses every positional write as EINVAL; nothing else is called by the image writer. */
    private static final class RefusingChannel extends FileChannel
    {
        int writes;

        @Override
        public int write(final java.nio.ByteBuffer src, final long position) throws IOException
        {
            writes++;
            throw new IOException("Invalid argument");
        }

        @Override
        public int read(final java.nio.ByteBuffer dst)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(final java.nio.ByteBuffer[] dsts, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(final java.nio.ByteBuffer src)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(final java.nio.ByteBuffer[] srcs, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(final long newPosition)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long size()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(final long size)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(final boolean metaData)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(final long position, final long count, final java.nio.channels.WritableByteChannel target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(final java.nio.channels.ReadableByteChannel src, final long position, final long count)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final java.nio.ByteBuffer dst, final long position)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.nio.channels.FileLock lock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.nio.channels.FileLock tryLock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel()
        {
        }
    }

    /** The file opened again with {@code O_DIRECT}, or as a plain second channel where the file system has none. */
    private static FileChannel openBulk(final Path file) throws IOException
    {
        try
        {
            final FileChannel direct = FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
            System.out.println("StoreImageWriterTest: O_DIRECT channel");
            return direct;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            System.out.println("StoreImageWriterTest: no O_DIRECT here (" + ex + "), a second buffered channel");
            return FileChannel.open(file, StandardOpenOption.WRITE);
        }
    }

    @Test
    void shouldRethrowAFailedFsyncOfTheIoThreadOnTheWritersThread() throws IOException
    {
        try (Store store = new Store(dir.resolve("store"), 16 << 20, 8, 0))
        {
            final KeySpace ks = store.newKeySpace();
            final boolean[] created = new boolean[1];
            final UnsafeBuffer value = new UnsafeBuffer(new byte[200]);
            for (int k = 0; k < 120_000; k++)
            {
                final UnsafeBuffer kb = new UnsafeBuffer(String.format("key-%08d", k).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                ks.push(ks.findOrInsert(kb, 0, kb.capacity(), created), k + 1, false, value, 0, 200);
                store.publishVisible(k + 1);
            }
            final IOException failure = new IOException("injected: fsync failed");
            final int[] flushes = new int[1];
            try (FileChannel ch = FileChannel.open(dir.resolve("image"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
                StoreImageWriter writer = new StoreImageWriter(ch, 4096, () ->
                {
                    flushes[0]++;
                    throw failure;
                }))
            {
                final IOException thrown = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () ->
                {
                    writer.write(ks, 120_000);
                    writer.finish();
                });
                assertEquals(failure, thrown, "the I/O thread's own failure, not another");
                assertEquals(1, flushes[0], "nothing runs on the I/O thread after its first failure");
            }
        }
    }

    private static void verify(final Path file, final List<StoreImageWriter.Block> blocks,
        final StoreImageWriter.KeySpaceRecord record, final TreeMap<String, Entry> model, final boolean large) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            final List<UnsafeBuffer> segments = new ArrayList<>();
            UnsafeBuffer hash = null;
            long previousEnd = 4096;
            for (final StoreImageWriter.Block b : blocks)
            {
                assertEquals(previousEnd, b.position(), "blocks are laid out in order, page-aligned");
                previousEnd = b.position() + b.length();
                final MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, b.position(), b.length());
                m.order(ByteOrder.nativeOrder());
                final CRC32C crc = new CRC32C();
                crc.update(m.duplicate());
                assertEquals(b.crc(), (int)crc.getValue(), "CRC of the block at " + b.position());
                if (b.kind() == StoreImageWriter.KIND_SEGMENT)
                {
                    segments.add(new UnsafeBuffer(m));
                }
                else
                {
                    hash = new UnsafeBuffer(m);
                }
            }
            if (large)
            {
                assertTrue(segments.size() > 6, "the image needs many segments to test links across them: " + segments.size());
                assertTrue(segments.stream().anyMatch(s -> s.capacity() > StoreImageWriter.SEGMENT_BYTES), "one oversized segment");
            }

            // level 0: exactly the model, in order, each key with its version at the image's seq
            final List<Long> nodes = new ArrayList<>();
            final Map<String, Entry> expected = model;
            final var it = expected.entrySet().iterator();
            for (long n = next(segments, record.head(), 0); n != 0; n = next(segments, n, 0))
            {
                final UnsafeBuffer s = segments.get((int)(n >>> 32));
                final int o = Arena.offset(n);
                final int level = s.getInt(o + NodeDescriptor.LEVEL_OFFSET);
                final byte[] key = new byte[s.getInt(o + NodeDescriptor.KEY_LENGTH_OFFSET)];
                s.getBytes(o + NodeDescriptor.keyOffset(level), key);
                assertTrue(it.hasNext(), "more keys in the image than in the model");
                final Map.Entry<String, Entry> e = it.next();
                assertEquals(e.getKey(), new String(key, java.nio.charset.StandardCharsets.US_ASCII));
                final long v = s.getLong(o + NodeDescriptor.CHAIN_OFFSET);
                final UnsafeBuffer vs = segments.get((int)(v >>> 32));
                final int vo = Arena.offset(v);
                assertEquals(e.getValue().seq(), vs.getLong(vo + VersionDescriptor.SEQ_OFFSET));
                assertEquals(0, vs.getLong(vo + VersionDescriptor.NEXT_OFFSET), "one version per key");
                final byte[] value = new byte[vs.getInt(vo + VersionDescriptor.LENGTH_OFFSET)];
                vs.getBytes(vo + VersionDescriptor.PAYLOAD_OFFSET, value);
                assertArrayEquals(e.getValue().value(), value, e.getKey());
                nodes.add(n);
            }
            assertTrue(!it.hasNext(), "keys of the model missing from the image");

            // every higher level: exactly the nodes that reach it, in the same order
            for (int level = 1; level < record.topLevel(); level++)
            {
                final List<Long> want = new ArrayList<>();
                for (final long n : nodes)
                {
                    if (segments.get((int)(n >>> 32)).getInt(Arena.offset(n) + NodeDescriptor.LEVEL_OFFSET) > level)
                    {
                        want.add(n);
                    }
                }
                final List<Long> got = new ArrayList<>();
                for (long n = next(segments, record.head(), level); n != 0; n = next(segments, n, level))
                {
                    got.add(n);
                }
                int first = 0;
                while (first < Math.min(want.size(), got.size()) && want.get(first).equals(got.get(first)))
                {
                    first++;
                }
                assertEquals(want.size(), first, "level " + level + " (" + want.size() + " nodes) differs from node " + first
                    + " on: the image links " + got.size() + " nodes");
                assertEquals(want.size(), got.size(), "level " + level);
            }

            // the hash array finds every key from its home slot
            assertTrue(hash != null);
            final int mask = hash.capacity() / 8 - 1;
            final Set<Long> found = new HashSet<>();
            for (final long n : nodes)
            {
                final UnsafeBuffer s = segments.get((int)(n >>> 32));
                final int o = Arena.offset(n);
                final int level = s.getInt(o + NodeDescriptor.LEVEL_OFFSET);
                final long h = HashIndex.hash(s, o + NodeDescriptor.keyOffset(level), s.getInt(o + NodeDescriptor.KEY_LENGTH_OFFSET));
                int i = (int)h & mask;
                long slot;
                while ((slot = hash.getLong(i << 3)) != 0 && (slot & ADDRESS_MASK) != n)
                {
                    i = (i + 1) & mask;
                }
                assertEquals(n, slot & ADDRESS_MASK, "hash slot of node " + Long.toHexString(n));
                assertEquals(h & ~ADDRESS_MASK, slot & ~ADDRESS_MASK);
                found.add(n);
            }
            int occupied = 0;
            for (int i = 0; i <= mask; i++)
            {
                occupied += hash.getLong(i << 3) != 0 ? 1 : 0;
            }
            assertEquals(nodes.size(), occupied, "no slot holds anything else");
            assertEquals(nodes.size(), found.size());
        }
    }

    private static long next(final List<UnsafeBuffer> segments, final long node, final int level)
    {
        return segments.get((int)(node >>> 32)).getLong(Arena.offset(node) + NodeDescriptor.NEXT_OFFSET + 8 * level);
    }
}
