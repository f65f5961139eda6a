package dev.aedb.bench;

import dev.aedb.JvmFlags;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Opens every engine of the suite in one JVM at the same time (aedb's Chronicle Queue WAL beside Chronicle Map, which
 * share chronicle-core and chronicle-bytes), writes 1,000 keys into each, reads them back (and scans the ordered
 * ones), and prints the Chronicle library versions on the class path. JMH forks hold one engine each, so this is what
 * shows that the dependency versions the uber jar resolved actually work together.
 * <p>
 * {@code java -cp benchmarks.jar dev.aedb.bench.EnginesInOneJvm}: relaunches itself with the fork flags of
 * {@link BenchMain} when this JVM lacks them. Exit status 0 and a line starting with {@code OK} on success.
 */
public final class EnginesInOneJvm
{
    static final int KEYS = 1000;
    private static final String[] CHRONICLE = {"chronicle-core", "chronicle-bytes", "chronicle-wire", "chronicle-threads",
        "chronicle-queue", "chronicle-map", "chronicle-values"};

    private EnginesInOneJvm()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (!JvmFlags.missing().isEmpty())
        {
            System.exit(relaunch());
            return;
        }
        final List<Engine> engines = new ArrayList<>();
        final Path root = BenchData.tempDir("one-jvm");
        try
        {
            for (final String name : Engine.NAMES)
            {
                final Engine engine = Engine.create(name);
                engine.open(Files.createDirectories(root.resolve(name)), Engine.SyncMode.BUFFERED, KEYS + 1000);
                engines.add(engine);
            }
            for (final Engine engine : engines)
            {
                engine.load(KEYS);
            }
            final UnsafeBuffer keys = BenchData.keyTable(KEYS);
            for (int e = 0; e < engines.size(); e++)
            {
                try (Engine.Session session = engines.get(e).session())
                {
                    final StoreCheck check = new StoreCheck(Engine.NAMES.get(e), session);
                    check.gets(KEYS, 100, 17, BenchData::value);
                    check.absent(KEYS);
                    if (engines.get(e).ordered())
                    {
                        check.scan(0, KEYS, KEYS + 1, true);
                    }
                    if (session.get(keys, 0) != BenchData.VALUE_BYTES)
                    {
                        throw new IllegalStateException(Engine.NAMES.get(e) + ": key 0 missing");
                    }
                }
            }
            System.out.println("OK all engines open in one JVM, each wrote and read back " + KEYS + " keys: " + Engine.NAMES);
            System.out.println("   " + versions());
        }
        finally
        {
            for (final Engine engine : engines)
            {
                engine.close();
            }
            BenchData.deleteRecursively(root);
        }
    }

    /** @return "chronicle-core 2026.5, chronicle-bytes 2026.4, ..." from the Maven metadata on the class path. */
    static String versions() throws IOException
    {
        final List<String> out = new ArrayList<>();
        for (final String artifact : CHRONICLE)
        {
            try (InputStream in = EnginesInOneJvm.class.getResourceAsStream(
                "/META-INF/maven/net.openhft/" + artifact + "/pom.properties"))
            {
                final Properties p = new Properties();
                if (in != null)
                {
                    p.load(in);
                }
                out.add(artifact + " " + p.getProperty("version", "?"));
            }
        }
        return String.join(", ", out);
    }

    private static int relaunch() throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        command.addAll(JvmFlags.required());
        command.addAll(BenchMain.PEER_FLAGS);
        command.addAll(BenchMain.CHRONICLE_PROPS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EnginesInOneJvm.class.getName());
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
