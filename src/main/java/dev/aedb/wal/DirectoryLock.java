package dev.aedb.wal;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive ownership of a data directory: an OS file lock on {@value #FILE_NAME}, held for the life of the
 * instance. A second open of the same directory, from this process or another, fails at once with
 * DATABASE_LOCKED. The lock dies with the process, so a killed owner never leaves it behind.
 * <p>
 * POSIX record locks belong to the process, and closing <em>any</em> channel on the locked file releases them. So
 * within one JVM the directory is claimed first in a process-wide registry, keyed by the directory's file identity
 * (device and inode, not its path string: a symlink or another spelling of the path is the same directory), and a
 * second open in the same JVM is refused there without ever opening {@value #FILE_NAME}: the holder's lock cannot be
 * dropped by somebody else's failed attempt.
 * <p>
 * A lock file deleted or replaced while held lets another process lock a new file of the same name.
 * {@link #checkHeld()} tells: the name must still lead to the file this lock holds.
 */
public final class DirectoryLock implements AutoCloseable
{
    public static final String FILE_NAME = "LOCK";

    private static final ConcurrentHashMap<Object, Path> HELD = new ConcurrentHashMap<>();

    private final Path file;
    private final Object directoryKey;
    private final Object fileKey;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(final Path file, final Object directoryKey, final Object fileKey, final FileChannel channel,
        final FileLock lock)
    {
        this.file = file;
        this.directoryKey = directoryKey;
        this.fileKey = fileKey;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param directory the data directory (must exist).
     * @return the held lock.
     * @throws AedbException DATABASE_LOCKED when this or another process holds it, IO_ERROR.
     */
    public static DirectoryLock acquire(final Path directory)
    {
        final Object directoryKey = identity(directory);
        if (HELD.putIfAbsent(directoryKey, directory) != null)
        {
            throw locked(directory, "an open instance in this process holds it");
        }
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
                throw locked(directory, "this process holds its LOCK file through another path");
            }
            if (lock == null)
            {
                throw locked(directory, "another process holds its LOCK file");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            final Object fileKey = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            final DirectoryLock held = new DirectoryLock(file, directoryKey, fileKey, channel, lock);
            channel = null;
            return held;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot lock " + file + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (channel != null)
            {
                // No instance of this process holds this directory (the registry says so), so closing this channel
                // cannot release anybody's lock.
                closeQuietly(channel);
                HELD.remove(directoryKey);
            }
        }
    }

    private static Object identity(final Path directory)
    {
        try
        {
            final Object key = Files.readAttributes(directory, BasicFileAttributes.class).fileKey();
            return key != null ? key : directory.toRealPath().toString();
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.IO_ERROR, "cannot read the identity of " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private static AedbException locked(final Path directory, final String why)
    {
        return new AedbException(ErrorCode.DATABASE_LOCKED, "data directory " + directory + " is open in another instance (" + why
            + ")");
    }

    /**
     * Checks that {@value #FILE_NAME} is still the file this lock holds: deleting or replacing it lets a second
     * process lock a new one and write the same log.
     *
     * @throws AedbException LOCK_LOST when it is gone or another file.
     */
    public void checkHeld()
    {
        Object now;
        try
        {
            now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }
        catch (final NoSuchFileException ex)
        {
            now = null;
        }
        catch (final IOException ex)
        {
            throw new AedbException(ErrorCode.LOCK_LOST, "cannot check " + file + ": " + ex.getMessage(), ex);
        }
        if (!Objects.equals(now, fileKey))
        {
            throw new AedbException(ErrorCode.LOCK_LOST, file + (now == null ? " was deleted" : " was replaced by another file")
                + " while this instance held it: another process may now open the same directory, so this instance stops "
                + "writing; close it, make sure no other process uses the directory, and reopen");
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // the OS drops the lock with the channel in any case
        }
        finally
        {
            closeQuietly(channel);
            HELD.remove(directoryKey);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // nothing to do: the channel only carried the lock
        }
    }
}
