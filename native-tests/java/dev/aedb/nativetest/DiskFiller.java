package dev.aedb.nativetest;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process of {@link DiskFullIT}: commits 8 KiB values until the engine refuses, printing {@code ACK n} for
 * every acknowledged commit and {@code REFUSED code} for the refusal, then exits 0. A SIGBUS would kill the JVM
 * instead, with no REFUSED line and a non-zero exit.
 */
public final class DiskFiller
{
    private DiskFiller()
    {
    }

    public static void main(final String[] args)
    {
        final AedbConfig config = new AedbConfig().storeSegmentBytes(1 << 20).maxValueBytes(64 * 1024).minFreeDiskBytes(Long.parseLong(args[1]));
        try (AedbInstance db = AedbInstance.open(config, Path.of(args[0])))
        {
            db.createProject("full");
            final byte[] value = new byte[8 * 1024];
            for (int n = 0; ; n++)
            {
                final List<Mutation> batch = new ArrayList<>();
                batch.add(new Mutation.KvSet("full", "app", ("k" + n).getBytes(StandardCharsets.UTF_8), value));
                try
                {
                    db.commit(TransactionEnvelope.of(batch));
                }
                catch (final AedbException ex)
                {
                    System.out.println("REFUSED " + ex.code().code() + " " + ex.getMessage().replace('\n', ' '));
                    System.out.flush();
                    return;
                }
                System.out.println("ACK " + n);
                System.out.flush();
            }
        }
        catch (final AedbException ex)
        {
            System.out.println("REFUSED " + ex.code().code() + " " + ex.getMessage().replace('\n', ' '));
        }
    }
}
