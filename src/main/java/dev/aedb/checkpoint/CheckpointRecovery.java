package dev.aedb.checkpoint;

import dev.aedb.catalog.LiveCatalog;
import dev.aedb.codec.DecodeException;
import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.RecoveryMode;
import dev.aedb.store.ImageBlock;
import dev.aedb.store.KeySpace;
import dev.aedb.store.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checkpoint half of recovery: which checkpoint an open starts from. It reads the newest manifest, opens the
 * newest checkpoint it names and checks it (header, meta section, block table, the manifest's length and checksum for
 * it, its catalog; every block too with {@code verifyAll}), then restores it into a store built over its segments.
 * <ul>
 *   <li>No manifest: no checkpoint; replay starts at the beginning of the WAL.</li>
 *   <li>The newest manifest or checkpoint damaged: {@code STRICT} refuses with CHECKPOINT_CORRUPT naming the file and
 *   offset; {@code PERMISSIVE} falls back to the previous one (and says so in the notes); the WAL replay from the
 *   older checkpoint then refuses if the WAL no longer covers the gap (a seq that does not follow).</li>
 *   <li>A newer format: CHECKPOINT_UNSUPPORTED in both modes.</li>
 * </ul>
 * Reading changes nothing on disk.
 */
public final class CheckpointRecovery
{
    private CheckpointRecovery()
    {
    }

    /** What recovery found: the manifest, and the checkpoint it starts from (or none). */
    public static final class Loaded
    {
        private final long generation;
        private final List<Manifest.Entry> entries;
        private final List<String> named;
        private final CheckpointImage.Opened image;
        private final List<String> notes;
        private final List<String> plan;

        Loaded(final long generation, final List<Manifest.Entry> entries, final List<String> named,
            final CheckpointImage.Opened image, final List<String> notes, final List<String> plan)
        {
            this.generation = generation;
            this.entries = List.copyOf(entries);
            this.named = List.copyOf(named);
            this.image = image;
            this.notes = List.copyOf(notes);
            this.plan = List.copyOf(plan);
        }

        /** @return the manifest generation in force (0: none yet). */
        public long generation()
        {
            return generation;
        }

        /** The usable checkpoints, newest first: the one restored and the older ones the manifest keeps. */
        List<Manifest.Entry> entries()
        {
            return entries;
        }

        /** Every image file the manifest names, usable or passed over as damaged (kept for inspection, never deleted). */
        List<String> named()
        {
            return named;
        }

        /** @return whether an open starts from a checkpoint image. */
        public boolean hasImage()
        {
            return image != null;
        }

        /** @return the seq the checkpoint holds (replay starts after it), 0 without one. */
        public long seq()
        {
            return image == null ? 0 : image.seq();
        }

        /** @return the first WAL cycle replay reads (0: all). */
        public int fromCycle()
        {
            return image == null ? 0 : image.fromCycle();
        }

        /** @return the checkpoint image's file, or null. */
        public Path file()
        {
            return image == null ? null : image.file();
        }

        /** @return every block of the image (segments and hash arrays), empty without one. */
        public List<ImageBlock> blocks()
        {
            return image == null ? List.of() : image.blocks();
        }

        /** @return the image's arena segments, for the store (empty without one). */
        public ImageBlock[] segments()
        {
            return image == null ? new ImageBlock[0] : image.segments();
        }

        /** @return the bytes of records in the image. */
        public long recordBytes()
        {
            return image == null ? 0 : image.recordBytes();
        }

        /** @return the keys the image holds. */
        public long keys()
        {
            return image == null ? 0 : image.keys();
        }

        /** @return the idempotency records at the checkpoint's seq, encoded by the writer (empty without one). */
        public byte[] idempotency()
        {
            return image == null ? new byte[0] : image.idempotency();
        }

        /** @return what recovery noted (a damaged manifest or checkpoint passed over, in PERMISSIVE mode). */
        public List<String> notes()
        {
            return notes;
        }

        /** @return the checkpoint part of the recovery plan, one step per line. */
        public List<String> plan()
        {
            return plan;
        }

        /**
         * Restores the checkpoint into {@code store} (built over {@link #segments()}): its key spaces, the catalog, and
         * the seq as the visible, durable and oldest readable one. Does nothing without an image.
         */
        public void restore(final Store store, final LiveCatalog catalog)
        {
            if (image != null)
            {
                restoreInto(image, store, catalog);
            }
        }
    }

    static void restoreInto(final CheckpointImage.Opened image, final Store store, final LiveCatalog catalog)
    {
        final KeySpace[] keySpaces = new KeySpace[image.keySpaces().size()];
        for (int i = 0; i < keySpaces.length; i++)
        {
            final CheckpointImage.KeySpaceEntry e = image.keySpaces().get(i);
            keySpaces[i] = store.restoreKeySpace(e.head(), e.topLevel(), image.blocks().get(e.hashBlock()), (int)e.live());
        }
        catalog.restore(CatalogCodec.decode(image.catalog(), keySpaces, image.version()));
        store.restoreAt(image.seq());
    }

    /** @return a result with no checkpoint (a new database, or one that never checkpointed). */
    public static Loaded none()
    {
        return new Loaded(0, List.of(), List.of(), null, List.of(), List.of("no checkpoint: replay the WAL from its first commit"));
    }

    /**
     * @param verifyAll also verify every block of the chosen image now (else each is verified at first use).
     * @throws AedbException CHECKPOINT_CORRUPT or CHECKPOINT_UNSUPPORTED as described above, IO_ERROR.
     */
    public static Loaded load(final Path dataDirectory, final RecoveryMode mode, final boolean verifyAll)
    {
        final Path directory = dataDirectory.resolve(Checkpointer.DIRECTORY);
        final TreeMap<Long, Path> manifests = Manifest.list(directory);
        if (manifests.isEmpty())
        {
            return none();
        }
        final List<String> notes = new ArrayList<>();
        final List<String> plan = new ArrayList<>();
        Manifest.Loaded manifest = null;
        for (final Map.Entry<Long, Path> m : manifests.descendingMap().entrySet())
        {
            try
            {
                manifest = Manifest.read(m.getValue());
                if (manifest.generation() != m.getKey())
                {
                    throw CheckpointImage.corrupt(m.getValue() + ": records generation " + manifest.generation()
                        + ", its name says " + m.getKey());
                }
                break;
            }
            catch (final AedbException ex)
            {
                if (ex.code() != ErrorCode.CHECKPOINT_CORRUPT || mode == RecoveryMode.STRICT)
                {
                    throw strictRefusal(ex);
                }
                notes.add("checkpoint manifest damaged, passed over: " + ex.getMessage());
                plan.add("skip the damaged manifest " + m.getValue().getFileName() + " (PERMISSIVE)");
                manifest = null;
            }
        }
        if (manifest == null)
        {
            notes.add("no readable checkpoint manifest: the WAL is replayed from its first commit");
            plan.add("no readable manifest: replay the WAL from its first commit (refused if it no longer starts there)");
            return new Loaded(manifests.lastKey(), List.of(), List.of(), null, notes, plan);
        }
        plan.add("manifest " + manifest.file().getFileName() + " (generation " + manifest.generation() + ") names "
            + manifest.entries().size() + " checkpoint(s)");
        final List<String> named = manifest.entries().stream().map(Manifest.Entry::file).toList();
        for (int index = 0; index < manifest.entries().size(); index++)
        {
            final Manifest.Entry e = manifest.entries().get(index);
            final Path file = directory.resolve(e.file());
            try
            {
                final CheckpointImage.Opened image = CheckpointImage.open(file, true);
                if (image.seq() != e.seq() || image.length() != e.length() || image.imageCrc() != e.crc()
                    || image.fromCycle() != e.fromCycle())
                {
                    throw CheckpointImage.corrupt(file + " offset 0: its header (seq " + image.seq() + ", " + image.length()
                        + " bytes, crc32c " + String.format("%08x", image.imageCrc()) + ") is not what the manifest "
                        + manifest.file().getFileName() + " records (seq " + e.seq() + ", " + e.length() + " bytes, crc32c "
                        + String.format("%08x", e.crc()) + ")");
                }
                try
                {
                    CatalogCodec.decode(image.catalog(), new KeySpace[image.keySpaces().size()], image.version());
                }
                catch (final DecodeException ex)
                {
                    throw CheckpointImage.corrupt(file + ": the catalog section does not decode: " + ex.getMessage());
                }
                if (verifyAll)
                {
                    image.verifyAll();
                }
                plan.add("restore checkpoint " + e.file() + " at seq " + e.seq() + " (" + image.keys() + " keys, " + e.length()
                    + " bytes; header, meta and block table checked" + (verifyAll ? ", every block verified"
                    : "; each block is verified against its CRC32C before first use") + ")");
                plan.add("replay the WAL from cycle " + e.fromCycle() + " on, commits after seq " + e.seq());
                return new Loaded(manifest.generation(), manifest.entries().subList(index, manifest.entries().size()), named, image,
                    notes, plan);
            }
            catch (final AedbException ex)
            {
                if (ex.code() != ErrorCode.CHECKPOINT_CORRUPT || mode == RecoveryMode.STRICT)
                {
                    throw strictRefusal(ex);
                }
                notes.add("checkpoint " + e.file() + " (seq " + e.seq() + ") damaged, fell back to the previous one: "
                    + ex.getMessage());
                plan.add("skip the damaged checkpoint " + e.file() + " (PERMISSIVE): " + ex.getMessage());
            }
        }
        notes.add("no usable checkpoint: the WAL is replayed from its first commit");
        plan.add("no usable checkpoint: replay the WAL from its first commit (refused if it no longer starts there)");
        return new Loaded(manifest.generation(), List.of(), named, null, notes, plan);
    }

    private static AedbException strictRefusal(final AedbException ex)
    {
        if (ex.code() == ErrorCode.CHECKPOINT_CORRUPT)
        {
            return new AedbException(ex.code(), ex.getMessage() + " (RecoveryMode.PERMISSIVE falls back to the previous checkpoint "
                + "if the WAL still covers the gap)", ex);
        }
        return ex;
    }

}
