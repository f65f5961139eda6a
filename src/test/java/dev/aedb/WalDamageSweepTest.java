package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static dev.aedb.TestSupport.b;
import static dev.aedb.TestSupport.kvSet;
import static dev.aedb.TestSupport.s;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damages a WAL of 201 acknowledged commits (project + 200 KV sets, FULL) in every way issue 8 lists, one copy per
 * case, and checks each outcome: every bit of the last three frames and of their Chronicle excerpt headers
 * flipped, every such byte zeroed, truncation at every offset of the last frame and at every frame boundary, the
 * page of frame 100 and the last page zeroed, the cycle file deleted, emptied, cut to 1 byte or to before its first
 * frame, overwritten with random bytes, its bytes 0 and 200 flipped, {@code metadata.cq4t} deleted, emptied or
 * random, {@code wal/} deleted, {@code wal.state} deleted or damaged.
 * <ul>
 *   <li>STRICT either refuses with WAL_CORRUPT naming a file (and, for damage inside one, its byte position) and
 *   changes no file, or opens with every acknowledged commit;</li>
 *   <li>PERMISSIVE either refuses with WAL_CORRUPT, or opens at some head h, reporting what it dropped when h is short
 *   of 201, with exactly the commits up to h readable (nothing from beyond h is returned as data);</li>
 *   <li>after any open, 5 more commits survive a STRICT and then a PERMISSIVE reopen.</li>
 * </ul>
 * No case may end in another exception, an OutOfMemoryError, or a hang (each open is bounded by a timeout).
 */
class WalDamageSweepTest
{
    private static final int COMMITS = 200;
    private static final long HEAD = COMMITS + 1;
    private static final long COPY_PREFIX = 1 << 20;

    @TempDir
    static Path root;
    private static Path fixture;
    private static String cycleName;
    private static List<Long> frames;
    private static List<Integer> excerptLengths;

    private static final Map<String, Integer> copyLengths = new TreeMap<>();
    private final ExecutorService opener = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "sweep-open");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final Map<String, Long> millis = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<Runnable> cases = new ArrayList<>();

    @BeforeAll
    static void writeFixture() throws IOException
    {
        fixture = root.resolve("fixture");
        try (AedbInstance db = TestSupport.open(fixture))
        {
            db.createProject("p");
            for (int i = 0; i < COMMITS; i++)
            {
                db.commit(kvSet("k" + i, "value-" + i));
            }
        }
        try (Stream<Path> files = Files.list(fixture.resolve("wal")))
        {
            cycleName = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).findFirst().orElseThrow();
        }
        final byte[] bytes = prefix(fixture.resolve("wal").resolve(cycleName));
        frames = new ArrayList<>();
        excerptLengths = new ArrayList<>();
        final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 4; i + 4 <= bytes.length; i += 4)
        {
            if (bytes[i] == 'A' && bytes[i + 1] == 'E' && bytes[i + 2] == 'W' && bytes[i + 3] == 'F')
            {
                frames.add((long)i);
                excerptLengths.add(le.getInt(i - 4) & 0x3FFF_FFFF);
            }
        }
        if (frames.size() != HEAD)
        {
            throw new IllegalStateException("expected " + HEAD + " frames, found " + frames.size());
        }
        try (Stream<Path> paths = Files.walk(fixture))
        {
            for (final Path p : (Iterable<Path>)paths::iterator)
            {
                if (Files.isRegularFile(p))
                {
                    final byte[] head = prefix(p);
                    int last = head.length;
                    while (last > 0 && head[last - 1] == 0)
                    {
                        last--;
                    }
                    copyLengths.put(fixture.relativize(p).toString(), Math.min(head.length, (last + 4095) & ~4095));
                }
            }
        }
    }

    private static byte[] prefix(final Path file) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buf = ByteBuffer.allocate((int)Math.min(ch.size(), COPY_PREFIX));
            while (buf.hasRemaining() && ch.read(buf) > 0)
            {
                // fill
            }
            return buf.array();
        }
    }

    interface Damage
    {
        /** @return false when it changed nothing (zeroing a zero byte): the case is skipped. */
        boolean apply(Path data) throws IOException;
    }

    @Test
    void shouldRefuseOrOpenWithEveryAcknowledgedCommitForEveryDamage() throws Exception
    {
        final Path cycle = Path.of("wal", cycleName);
        final long firstFrame = frames.get(HEAD > 3 ? (int)HEAD - 3 : 0) - 4;
        final long lastFrame = frames.get((int)HEAD - 1);
        final long end = lastFrame + excerptLengths.get((int)HEAD - 1);
        int n = 0;
        for (long at = firstFrame; at < end; at++)
        {
            final long offset = at;
            for (int bit = 0; bit < 8; bit++)
            {
                final int mask = 1 << bit;
                run("flip bit " + bit + " at " + offset, d -> xor(d.resolve(cycle), offset, mask), n++);
            }
            run("zero byte at " + offset, d -> set(d.resolve(cycle), offset, 0), n++);
        }
        for (long at = lastFrame - 4; at < end; at++)
        {
            final long length = at;
            run("truncate to " + length + " (inside the last frame)", d -> truncate(d.resolve(cycle), length), n++);
        }
        for (int i = 0; i < HEAD; i++)
        {
            final long boundary = frames.get(i) - 4;
            run("truncate to frame boundary " + boundary + " (before frame " + i + ")", d -> truncate(d.resolve(cycle), boundary), n++);
        }
        final long f100 = frames.get(100);
        run("zero the page holding frame 100", d -> zero(d.resolve(cycle), f100 & ~4095L, 4096), n++);
        run("zero the page holding the last frame", d -> zero(d.resolve(cycle), lastFrame & ~4095L, 4096), n++);
        run("set 0x80 on the excerpt header of frame 100", d -> xor(d.resolve(cycle), f100 - 1, 0x80), n++);
        run("set 0x40 on the excerpt header of frame 100", d -> xor(d.resolve(cycle), f100 - 1, 0x40), n++);
        run("set 0xC0 on the excerpt header of frame 100", d -> xor(d.resolve(cycle), f100 - 1, 0xC0), n++);
        run("set 0x40 on the length word of frame 100", d -> xor(d.resolve(cycle), f100 - 4, 0x40), n++);
        run("delete the cycle file", d -> Files.deleteIfExists(d.resolve(cycle)), n++);
        run("empty the cycle file", d -> truncate(d.resolve(cycle), 0), n++);
        run("cut the cycle file to 1 byte", d -> truncate(d.resolve(cycle), 1), n++);
        run("cut the cycle file before its first frame", d -> truncate(d.resolve(cycle), frames.get(0) - 4), n++);
        run("replace the cycle file with random bytes", d -> random(d.resolve(cycle), 1 << 20), n++);
        run("flip byte 0 of the cycle file", d -> xor(d.resolve(cycle), 0, 0x5A), n++);
        run("flip byte 200 of the cycle file", d -> xor(d.resolve(cycle), 200, 0x5A), n++);
        run("delete metadata.cq4t", d -> Files.deleteIfExists(d.resolve("wal").resolve("metadata.cq4t")), n++);
        run("empty metadata.cq4t", d -> truncate(d.resolve("wal").resolve("metadata.cq4t"), 0), n++);
        run("replace metadata.cq4t with random bytes", d -> random(d.resolve("wal").resolve("metadata.cq4t"), 128 << 10), n++);
        run("delete wal/", d -> deleteTree(d.resolve("wal")), n++);
        run("delete wal.state", d -> Files.deleteIfExists(d.resolve("wal.state")), n++);
        run("replace wal.state with random bytes", d -> random(d.resolve("wal.state"), 4096), n++);
        run("zero both slots of wal.state", d -> zero(d.resolve("wal.state"), 64, 384), n++);
        final ExecutorService workers = Executors.newFixedThreadPool(2);
        for (final Runnable c : cases)
        {
            workers.execute(c);
        }
        workers.shutdown();
        if (!workers.awaitTermination(30, TimeUnit.MINUTES))
        {
            fail("the sweep did not finish in 30 minutes");
        }
        System.out.println("WalDamageSweepTest: " + n + " cases, outcomes " + outcomes + ", milliseconds " + millis);
        if (!failures.isEmpty())
        {
            fail(failures.size() + " of " + n + " cases failed; first ones:\n  " + String.join("\n  ",
                failures.subList(0, Math.min(25, failures.size()))));
        }
    }

    private void run(final String name, final Damage damage, final int n)
    {
        cases.add(() -> runCase(name, damage, n));
    }

    private void runCase(final String name, final Damage damage, final int n)
    {
        final Path data = root.resolve("case-" + n);
        try
        {
            copy(fixture, data);
            if (!damage.apply(data))
            {
                record("skipped (the damage changed nothing)", 0);
                return;
            }
            final long start = System.nanoTime();
            final String outcome = check(data);
            record(outcome, (System.nanoTime() - start) / 1_000_000);
            if (outcome.endsWith("whole") && System.getProperty("aedb.sweep.verbose") != null)
            {
                System.out.println("  " + outcome + ": " + name);
            }
        }
        catch (final AssertionError | Exception ex)
        {
            synchronized (failures)
            {
                failures.add(name + ": " + ex);
            }
        }
        finally
        {
            try
            {
                deleteTree(data);
            }
            catch (final IOException ignore)
            {
                // temp dir, removed with the class's
            }
        }
    }

    private synchronized void record(final String outcome, final long ms)
    {
        outcomes.merge(outcome, 1, Integer::sum);
        millis.merge(outcome, ms, Long::sum);
    }

    private String check(final Path data) throws Exception
    {
        final String before = digest(data);
        final Object strict = open(data, RecoveryMode.STRICT);
        String outcome;
        long head;
        if (strict instanceof AedbException ex)
        {
            if (ex.code() != ErrorCode.WAL_CORRUPT)
            {
                throw new AssertionError("STRICT refused with " + ex.code() + ", not WAL_CORRUPT: " + ex.getMessage());
            }
            if (!ex.getMessage().matches("(?s).*(\\.cq4|wal\\.state|metadata\\.cq4t|/wal).*")
                || !ex.getMessage().matches("(?s).*(position \\d+|missing|holds no cycle).*"))
            {
                throw new AssertionError("STRICT refusal does not name a file and offset: " + ex.getMessage());
            }
            if (!before.equals(digest(data)))
            {
                throw new AssertionError("STRICT refused but changed files: " + ex.getMessage());
            }
            final Object permissive = open(data, RecoveryMode.PERMISSIVE);
            if (permissive instanceof AedbException px)
            {
                if (px.code() != ErrorCode.WAL_CORRUPT)
                {
                    throw new AssertionError("PERMISSIVE refused with " + px.code() + ": " + px.getMessage());
                }
                return "both refuse";
            }
            try (AedbInstance db = (AedbInstance)permissive)
            {
                head = db.headState().visibleHeadSeq();
                if (head < HEAD && db.recoveryReport().droppedFrames().isEmpty())
                {
                    throw new AssertionError("PERMISSIVE opened at head " + head + " of " + HEAD + " without reporting a drop: "
                        + db.recoveryReport());
                }
                checkContent(db, head, 0);
                appendFive(db, head);
            }
            outcome = "strict refuses, permissive opens" + (head < HEAD ? " short" : " whole");
        }
        else
        {
            try (AedbInstance db = (AedbInstance)strict)
            {
                head = db.headState().visibleHeadSeq();
                if (head != HEAD)
                {
                    throw new AssertionError("STRICT opened at head " + head + ", not " + HEAD);
                }
                checkContent(db, head, 0);
                appendFive(db, head);
            }
            outcome = "strict opens whole";
        }
        for (final RecoveryMode mode : RecoveryMode.values())
        {
            final Object again = open(data, mode);
            if (again instanceof AedbException ex)
            {
                throw new AssertionError(mode + " reopen after 5 more commits failed: " + ex.getMessage());
            }
            try (AedbInstance db = (AedbInstance)again)
            {
                if (db.headState().visibleHeadSeq() != head + 5)
                {
                    throw new AssertionError(mode + " reopen at head " + db.headState().visibleHeadSeq() + ", not " + (head + 5));
                }
                checkContent(db, head, 5);
            }
        }
        return outcome;
    }

    private static void appendFive(final AedbInstance db, final long head)
    {
        for (int j = 0; j < 5; j++)
        {
            final long seq = db.commit(kvSet("after-" + j, "v" + j)).commitSeq();
            if (seq != head + 1 + j)
            {
                throw new AssertionError("commit after recovery got seq " + seq + ", expected " + (head + 1 + j));
            }
        }
    }

    private static void checkContent(final AedbInstance db, final long head, final int after)
    {
        for (int i = 0; i < COMMITS; i++)
        {
            final KvGetResult r = db.kvGet("p", "app", b("k" + i));
            final boolean expected = i + 2 <= head;
            if (r.found() != expected || (expected && !("value-" + i).equals(s(r.value()))))
            {
                throw new AssertionError("k" + i + " (commit " + (i + 2) + ") at head " + head + ": found=" + r.found() + " value="
                    + s(r.value()));
            }
        }
        for (int j = 0; j < after; j++)
        {
            final KvGetResult r = db.kvGet("p", "app", b("after-" + j));
            if (!r.found() || !("v" + j).equals(s(r.value())))
            {
                throw new AssertionError("after-" + j + " is missing after reopen");
            }
        }
    }

    /** Small segments and no per-commit fsync keep 2,500 cases quick; recovery does not depend on the mode. */
    private static AedbConfig config(final RecoveryMode mode)
    {
        return new AedbConfig().storeSegmentBytes(1 << 20).maxValueBytes(256 * 1024).durability(Durability.OS_BUFFERED)
            .recoveryMode(mode);
    }

    /** @return the open instance, or the AedbException the open threw; anything else fails the case. */
    private Object open(final Path data, final RecoveryMode mode) throws Exception
    {
        final Future<Object> f = opener.submit(() ->
        {
            try
            {
                return AedbInstance.open(config(mode), data);
            }
            catch (final AedbException ex)
            {
                return ex;
            }
        });
        try
        {
            return f.get(60, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError(mode + " open hangs");
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw new AssertionError(mode + " open threw " + ex.getCause(), ex.getCause());
        }
    }

    /** Hash of every file but LOCK and the store (rebuilt each open): names, sizes and the first MiB of each. */
    private static String digest(final Path data) throws Exception
    {
        final MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> paths = Files.walk(data))
        {
            for (final Path p : (Iterable<Path>)paths.sorted()::iterator)
            {
                final Path rel = data.relativize(p);
                if (rel.toString().equals("LOCK") || rel.startsWith("store") || Files.isDirectory(p))
                {
                    continue;
                }
                sha.update(rel.toString().getBytes());
                sha.update(Long.toString(Files.size(p)).getBytes());
                sha.update(prefix(p));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Copies a data directory, only the written prefix of each (sparse) file, keeping sizes. */
    private static void copy(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)paths::iterator)
            {
                final Path rel = from.relativize(p);
                if (rel.toString().equals("LOCK") || rel.startsWith("store"))
                {
                    continue;
                }
                final Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                    continue;
                }
                final byte[] head = prefix(p);
                Files.write(target, java.util.Arrays.copyOf(head, copyLengths.get(rel.toString())));
                try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw"))
                {
                    raf.setLength(Files.size(p));
                }
            }
        }
    }

    private static boolean xor(final Path file, final long offset, final int mask) throws IOException
    {
        TestSupport.xorByte(file, offset, mask);
        return true;
    }

    private static boolean set(final Path file, final long offset, final int value) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            if (raf.read() == value)
            {
                return false;
            }
            raf.seek(offset);
            raf.write(value);
        }
        return true;
    }

    private static boolean zero(final Path file, final long offset, final int length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(offset);
            raf.write(new byte[length]);
        }
        return true;
    }

    private static boolean truncate(final Path file, final long length) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
        }
        return true;
    }

    private static boolean random(final Path file, final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        Files.write(file, bytes);
        return true;
    }

    private static boolean deleteTree(final Path dir) throws IOException
    {
        return TestSupport.deleteTree(dir);
    }
}
