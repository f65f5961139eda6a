package dev.aedb.wal;

import dev.aedb.AedbException;
import dev.aedb.ErrorCode;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive ownership of a data directory: an OS file lock on {@code LOCK}, held for the life of the instance. A
 * second open of the same directory, from this process or another, fails at once with DATABASE_LOCKED. The lock
 * dies with the process, so a killed owner never leaves it behind.
 */
public final class DirectoryLock implements AutoCloseable
{
    public static final String FILE_NAME = "LOCK";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param directory the data directory (must exist).
     * @return the held lock.
     */
    public static DirectoryLock acquire(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                channel.close();
                throw locked(directory);
            }
            if (lock == null)
            {
                channel.close();
                throw locked(directory);
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new DirectoryLock(channel, lock);
        }
        catch (final IOException ex)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // already failing with the first error
                }
            }
            throw new AedbException(ErrorCode.IO_ERROR, "cannot lock " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static AedbException locked(final Path directory)
    {
        return new AedbException(ErrorCode.DATABASE_LOCKED,
            "data directory " + directory + " is open in another instance (this or another process holds its LOCK file)");
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the OS drops the lock with the channel in any case
        }
    }
}
