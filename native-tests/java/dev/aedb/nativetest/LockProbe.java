package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;

import java.nio.file.Path;

/**
 * Child process of {@link LockIntegrityIT}: tries once to open the data directory {@code args[0]} and prints
 * {@code OPENED} (then closes) or {@code REFUSED <error code>}.
 */
public final class LockProbe
{
    private LockProbe()
    {
    }

    public static void main(final String[] args)
    {
        try (AedbInstance db = AedbInstance.open(Path.of(args[0])))
        {
            System.out.println("OPENED");
        }
        catch (final AedbException ex)
        {
            System.out.println("REFUSED " + ex.code());
        }
        System.out.flush();
    }
}
