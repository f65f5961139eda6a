package dev.aedb.wal;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What aedb relies on of Chronicle Queue's cycle-file layout (binary wire, {@code FAST_DAILY} roll cycle), so that
 * it can read and check its WAL without trusting Chronicle's tailer. Every structure is a sequence of excerpts,
 * each a little-endian 32-bit header followed by its content; the next header starts at the next multiple of 4:
 * <pre>
 *   0                                                   31
 *   +----------------------------------------------+-+-+
 *   | content length (30 bits)                     |M|N|   M = metadata, N = not complete
 *   +----------------------------------------------+-+-+
 *   | content (length bytes) ... | padding to 4    |
 * </pre>
 * <ul>
 *   <li>offset 0: the store header, a complete metadata excerpt (the {@code SCQStore} document, at most 64 KiB);</li>
 *   <li>then excerpts: metadata ones (Chronicle's index2index and index arrays) and data ones (one aedb frame
 *   each; the n-th data excerpt of cycle c has WAL index {@code c << 32 | n});</li>
 *   <li>a header of 0 means nothing was written there yet: the end of the log. Chronicle writes an excerpt's
 *   content first and its header last, and zeroes the 8 bytes after each excerpt it completes, so a process
 *   killed mid-append leaves a 0 header, possibly followed by a partial frame;</li>
 *   <li>{@link #END_OF_DATA} marks a cycle Chronicle closed when it rolled to the next one.</li>
 * </ul>
 * The file is named {@code yyyyMMdd'F'.cq4} after its cycle, the number of UTC days since 1970-01-01.
 */
final class CycleFileDescriptor
{
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int META_DATA = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    static final int HEADER_LENGTH = 4;
    /** Chronicle refuses a first header longer than this. */
    static final int MAX_STORE_HEADER = 64 << 10;
    /** Chronicle's metadata excerpts in the data area are index arrays of 4096 longs (~32 KiB); anything far larger is damage. */
    static final int MAX_METADATA_EXCERPT = 1 << 20;
    static final String SUFFIX = ".cq4";
    static final String METADATA_FILE = "metadata.cq4t";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'F'");

    private CycleFileDescriptor()
    {
    }

    /** @return the position of the header after an excerpt at {@code header} with {@code length} content bytes. */
    static long next(final long header, final int length)
    {
        return (header + HEADER_LENGTH + length + 3) & ~3L;
    }

    static int length(final int header)
    {
        return header & LENGTH_MASK;
    }

    static boolean isMetaData(final int header)
    {
        return (header & META_DATA) != 0;
    }

    static boolean isNotComplete(final int header)
    {
        return (header & NOT_COMPLETE) != 0;
    }

    /** @return the Chronicle WAL index of the {@code n}-th data excerpt of {@code cycle} (FAST_DAILY). */
    static long index(final int cycle, final long n)
    {
        return ((long)cycle << 32) | n;
    }

    /** @return the cycle a file name stands for, or -1 when it is not a FAST_DAILY cycle file name. */
    static int cycleOf(final String fileName)
    {
        if (!fileName.endsWith(SUFFIX))
        {
            return -1;
        }
        try
        {
            final LocalDate day = LocalDate.parse(fileName.substring(0, fileName.length() - SUFFIX.length()), NAME);
            final long epochDay = day.toEpochDay();
            return epochDay < 0 || epochDay > Integer.MAX_VALUE ? -1 : (int)epochDay;
        }
        catch (final DateTimeParseException ex)
        {
            return -1;
        }
    }

    /** @return the file name of a cycle. */
    static String fileName(final int cycle)
    {
        return LocalDate.ofEpochDay(cycle).format(NAME) + SUFFIX;
    }
}
