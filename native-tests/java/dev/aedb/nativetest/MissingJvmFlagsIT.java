package dev.aedb.nativetest;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without the engine's flags gets JVM_FLAGS_MISSING at open, naming the missing flags, instead of a
 * crash or an obscure IllegalAccessError from deep inside Chronicle.
 */
class MissingJvmFlagsIT
{
    @Test
    void openWithoutFlagsNamesTheMissingFlags() throws Exception
    {
        final Path root = Files.createTempDirectory("aedb-noflags-");
        final Path data = root.resolve("data");
        boolean passed = false;
        try
        {
            final StringBuilder out = new StringBuilder();
            try (ChildJvm child = ChildJvm.start(false, OpenWithoutFlags.class, root.resolve("child.err"), data.toString()))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                String line;
                while ((line = child.nextLine(deadline)) != null)
                {
                    out.append(line).append('\n');
                }
                assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "child did not exit");
                assertEquals(0, child.process().exitValue(), "child exit; stdout:\n" + out + "stderr:\n" + child.stderr());
            }
            final String text = out.toString();
            System.out.println("MissingJvmFlagsIT: child said:\n" + text);
            assertFalse(text.contains("OPENED"), "opened without flags:\n" + text);
            assertTrue(text.contains("CODE jvm_flags_missing"), "no jvm_flags_missing code:\n" + text);
            assertTrue(text.contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"), "sun.nio.ch export not named:\n" + text);
            passed = true;
        }
        finally
        {
            if (passed)
            {
                ChildJvm.deleteTree(root);
            }
            else
            {
                System.out.println("MissingJvmFlagsIT failed; data kept in " + root);
            }
        }
    }
}
