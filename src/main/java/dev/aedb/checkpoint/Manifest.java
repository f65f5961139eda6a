package dev.aedb.checkpoint;

import dev.aedb.io.IoFaults;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checkpoint manifest, {@code checkpoints/manifest-<generation, 12 digits>}: which checkpoints are live, newest
 * first. A small UTF-8 text, one field per line, ending in its own checksum:
 * <pre>
 *   aedb checkpoint manifest
 *   format 1
 *   generation 7
 *   checkpoint seq=120 file=checkpoint-00000000000000000120.img length=4718592 crc32c=0a1b2c3d wal-from-cycle=20792
 *   checkpoint seq=80 file=... (older)
 *   crc32c 89abcdef
 * </pre>
 * {@code crc32c} is over every byte before its line. A checkpoint at seq S needs the WAL from cycle
 * {@code wal-from-cycle} on (every commit after S is there). A new manifest is written to a temp name, fsynced, renamed
 * and the directory fsynced; the previous generation is kept, older ones are deleted.
 */
final class Manifest
{
    static final int FORMAT_VERSION = 1;
    private static final String PREFIX = "manifest-";
    private static final String FIRST_LINE = "aedb checkpoint manifest";

    /** One live checkpoint. */
    record Entry(long seq, String file, long length, int crc, int fromCycle)
    {
    }

    /**
     * A manifest read back.
     *
     * @param entries newest first.
     */
    record Loaded(Path file, long generation, List<Entry> entries)
    {
    }

    private Manifest()
    {
    }

    static String fileName(final long generation)
    {
        return PREFIX + String.format("%012d", generation);
    }

    /** @return the manifests in {@code directory} by generation (temp files and other names ignored). */
    static TreeMap<Long, Path> list(final Path directory)
    {
        final TreeMap<Long, Path> out = new TreeMap<>();
        if (!Files.isDirectory(directory))
        {
            return out;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            files.forEach(p ->
            {
                final String name = p.getFileName().toString();
                if (name.startsWith(PREFIX) && name.length() == PREFIX.length() + 12)
                {
                    try
                    {
                        out.put(Long.parseLong(name.substring(PREFIX.length())), p);
                    }
                    catch (final NumberFormatException ignore)
                    {
                        // not one of ours
                    }
                }
            });
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot list " + directory + ": " + ex.getMessage(), ex);
        }
        return out;
    }

    static byte[] encode(final long generation, final List<Entry> entries)
    {
        final StringBuilder s = new StringBuilder();
        s.append(FIRST_LINE).append('\n');
        s.append("format ").append(FORMAT_VERSION).append('\n');
        s.append("generation ").append(generation).append('\n');
        for (final Entry e : entries)
        {
            s.append("checkpoint seq=").append(e.seq()).append(" file=").append(e.file()).append(" length=").append(e.length())
                .append(" crc32c=").append(String.format("%08x", e.crc())).append(" wal-from-cycle=").append(e.fromCycle()).append('\n');
        }
        final byte[] body = s.toString().getBytes(StandardCharsets.UTF_8);
        final String trailer = "crc32c " + String.format("%08x", CheckpointImage.crc(body, 0, body.length)) + "\n";
        final byte[] t = trailer.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[body.length + t.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(t, 0, out, body.length, t.length);
        return out;
    }

    /**
     * @throws AedbException CHECKPOINT_CORRUPT (naming the file and the byte offset of the first bad line) or
     *                       CHECKPOINT_UNSUPPORTED (a newer format).
     */
    static Loaded read(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read " + file + ": " + ex.getMessage(), ex);
        }
        if (bytes.length > 1 << 20)
        {
            throw CheckpointImage.corrupt(file + " is " + bytes.length + " bytes long, not a manifest");
        }
        final String text = new String(bytes, StandardCharsets.UTF_8);
        // The checksum first: a flipped byte anywhere (the format line too) is damage, not a newer format.
        final int crcLine = text.lastIndexOf("\ncrc32c ") + 1;
        if (crcLine <= 0 || !text.endsWith("\n"))
        {
            throw CheckpointImage.corrupt(file + " offset " + bytes.length + ": the manifest ends before its checksum line (truncated)");
        }
        final int crcOffset = text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8).length;
        final int computed = CheckpointImage.crc(bytes, 0, crcOffset);
        final int stored = parseHex(text.substring(crcLine + 7, text.length() - 1), file, crcOffset);
        if (computed != stored)
        {
            throw CheckpointImage.corrupt(file + " offset " + crcOffset + ": the manifest fails its CRC32C (recorded "
                + String.format("%08x", stored) + ", computed " + String.format("%08x", computed) + ")");
        }
        final String[] lines = text.split("\n", -1);
        int offset = 0;
        long generation = -1;
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i];
            if (i == 0)
            {
                if (!line.equals(FIRST_LINE))
                {
                    throw CheckpointImage.corrupt(file + " offset 0: not a checkpoint manifest");
                }
            }
            else if (line.startsWith("crc32c "))
            {
                final int expected = CheckpointImage.crc(bytes, 0, offset);
                final int recorded = parseHex(line.substring(7), file, offset);
                if (expected != recorded)
                {
                    throw CheckpointImage.corrupt(file + " offset " + offset + ": the manifest fails its CRC32C (recorded "
                        + String.format("%08x", recorded) + ", computed " + String.format("%08x", expected) + ")");
                }
                if (i != lines.length - 2 || !lines[lines.length - 1].isEmpty())
                {
                    throw CheckpointImage.corrupt(file + " offset " + offset + ": bytes follow the manifest's checksum");
                }
                if (generation < 0)
                {
                    throw CheckpointImage.corrupt(file + ": no generation line");
                }
                return new Loaded(file, generation, List.copyOf(entries));
            }
            else if (line.startsWith("format "))
            {
                final long format = parseLong(line.substring(7), file, offset);
                if (format != FORMAT_VERSION)
                {
                    // a newer manifest's checksum may be computed differently: its format decides first
                    throw new AedbException(ErrorCode.CHECKPOINT_UNSUPPORTED, file + " offset " + offset + ": manifest format "
                        + format + ", this aedb reads format " + FORMAT_VERSION);
                }
            }
            else if (line.startsWith("generation "))
            {
                generation = parseLong(line.substring(11), file, offset);
            }
            else if (line.startsWith("checkpoint "))
            {
                entries.add(parseEntry(line.substring(11), file, offset));
            }
            else
            {
                throw CheckpointImage.corrupt(file + " offset " + offset + ": unexpected line");
            }
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        throw CheckpointImage.corrupt(file + " offset " + offset + ": the manifest ends before its checksum line (truncated)");
    }

    private static Entry parseEntry(final String fields, final Path file, final int offset)
    {
        long seq = -1;
        String name = null;
        long length = -1;
        Integer crc = null;
        int fromCycle = -1;
        for (final String f : fields.split(" "))
        {
            final int eq = f.indexOf('=');
            if (eq < 0)
            {
                throw CheckpointImage.corrupt(file + " offset " + offset + ": bad field '" + f + "'");
            }
            final String key = f.substring(0, eq);
            final String value = f.substring(eq + 1);
            switch (key)
            {
                case "seq" -> seq = parseLong(value, file, offset);
                case "file" -> name = value;
                case "length" -> length = parseLong(value, file, offset);
                case "crc32c" -> crc = parseHex(value, file, offset);
                case "wal-from-cycle" -> fromCycle = (int)parseLong(value, file, offset);
                default -> throw CheckpointImage.corrupt(file + " offset " + offset + ": unknown field '" + key + "'");
            }
        }
        if (seq < 0 || name == null || length < 0 || crc == null || fromCycle < 0 || CheckpointImage.seqOf(name) != seq)
        {
            throw CheckpointImage.corrupt(file + " offset " + offset + ": incomplete or inconsistent checkpoint line");
        }
        return new Entry(seq, name, length, crc, fromCycle);
    }

    private static long parseLong(final String s, final Path file, final int offset)
    {
        try
        {
            return Long.parseLong(s);
        }
        catch (final NumberFormatException ex)
        {
            throw CheckpointImage.corrupt(file + " offset " + offset + ": '" + s + "' is not a number");
        }
    }

    private static int parseHex(final String s, final Path file, final int offset)
    {
        try
        {
            return (int)Long.parseLong(s, 16);
        }
        catch (final NumberFormatException ex)
        {
            throw CheckpointImage.corrupt(file + " offset " + offset + ": '" + s + "' is not a checksum");
        }
    }

    /**
     * Writes generation {@code generation} (temp name, fsync, rename, directory fsync), then deletes generations older
     * than the previous one.
     */
    static Path write(final Path directory, final long generation, final List<Entry> entries, final IoFaults faults)
        throws IOException
    {
        final String name = fileName(generation);
        final Path temp = directory.resolve(name + CheckpointImage.TEMP_SUFFIX);
        final Path target = directory.resolve(name);
        final byte[] bytes = encode(generation, entries);
        boolean done = false;
        try
        {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE))
            {
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining())
                {
                    ch.write(b);
                }
                Checkpointer.force(ch, faults);
            }
            faults.crashPoint(IoFaults.CHECKPOINT_BEFORE_MANIFEST_RENAME);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(directory);
            done = true;
        }
        finally
        {
            if (!done)
            {
                Files.deleteIfExists(temp);
            }
        }
        for (final Path old : list(directory).headMap(generation - 1, false).values())
        {
            Files.deleteIfExists(old);
        }
        return target;
    }

    static void fsyncDirectory(final Path directory) throws IOException
    {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }
}
