package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.model.AedbException;

import java.nio.file.Path;

/**
 * Child process of {@link MissingJvmFlagsIT}, started without the engine's JVM flags: tries to open an instance on
 * {@code args[0]} and prints {@code CODE <code>} and {@code MESSAGE <message>} of the failure (or {@code OPENED}).
 */
public final class OpenWithoutFlags
{
    private OpenWithoutFlags()
    {
    }

    public static void main(final String[] args)
    {
        try (AedbInstance db = AedbInstance.open(Path.of(args[0])))
        {
            System.out.println("OPENED " + db.directory());
        }
        catch (final AedbException ex)
        {
            System.out.println("CODE " + ex.code().code());
            System.out.println("MESSAGE " + ex.getMessage());
        }
        System.out.flush();
    }
}
