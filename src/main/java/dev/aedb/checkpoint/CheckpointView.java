package dev.aedb.checkpoint;

import dev.aedb.catalog.LiveCatalog;
import dev.aedb.codec.DecodeException;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.store.Store;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * A checkpoint image served as it is, for {@code AT_CHECKPOINT} reads: its blocks mapped read-only (each verified
 * against its CRC32C at first use), its key spaces and catalog restored into a read-only {@link Store} whose only
 * readable seq is the checkpoint's. Nothing of the live store is touched; the view stays valid after the image file is
 * deleted by retention (the mapping holds it), and its memory goes with the garbage collector.
 */
public final class CheckpointView
{
    private final long seq;
    private final Path file;
    private final Store store;
    private final LiveCatalog catalog;

    private CheckpointView(final long seq, final Path file, final Store store, final LiveCatalog catalog)
    {
        this.seq = seq;
        this.file = file;
        this.store = store;
        this.catalog = catalog;
    }

    /**
     * Opens the image {@code file} read-only.
     *
     * @throws AedbException CHECKPOINT_CORRUPT or CHECKPOINT_UNSUPPORTED when it fails its checks, IO_ERROR.
     */
    public static CheckpointView open(final Path file, final int readerSlots, final long maxAgeNanos, final LongSupplier clock)
    {
        final CheckpointImage.Opened image = CheckpointImage.open(file, false);
        final Store store = Store.readOnlyImage(image.segments(), image.recordBytes(), readerSlots, maxAgeNanos, clock);
        final LiveCatalog catalog = new LiveCatalog();
        try
        {
            CheckpointRecovery.restoreInto(image, store, catalog);
        }
        catch (final DecodeException ex)
        {
            throw new AedbException(ErrorCode.CHECKPOINT_CORRUPT, file + ": the catalog section does not decode: " + ex.getMessage(), ex);
        }
        return new CheckpointView(image.seq(), file, store, catalog);
    }

    /** @return the seq whose state the image holds. */
    public long seq()
    {
        return seq;
    }

    /** @return the image file. */
    public Path file()
    {
        return file;
    }

    /** @return the read-only store serving the image. */
    public Store store()
    {
        return store;
    }

    /** @return the catalog at the checkpoint. */
    public LiveCatalog catalog()
    {
        return catalog;
    }
}
