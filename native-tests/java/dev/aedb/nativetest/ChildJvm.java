package dev.aedb.nativetest;

import dev.aedb.JvmFlags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Launches and drives child JVMs for the process-level tests: builds the command line (with or without the engine's
 * JVM flags), reads the child's stdout line by line on a daemon thread, and kills with SIGKILL.
 */
final class ChildJvm implements AutoCloseable
{
    /** Marks the end of the child's stdout in {@link #lines}. */
    private static final String EOF = new String("<EOF>");

    static final List<String> TEST_PROPS = List.of(
        "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true",
        "-Dchronicle.disk.monitor.disable=true");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Path stderrFile;
    private volatile boolean eof;

    private ChildJvm(final Process process, final Path stderrFile)
    {
        this.process = process;
        this.stderrFile = stderrFile;
        this.reader = new Thread(() -> pump(process.getInputStream()), "child-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** @return the java executable of this JVM. */
    static String javaExecutable()
    {
        return ProcessHandle.current().info().command()
            .filter(c -> Files.isExecutable(Path.of(c)))
            .orElse(System.getProperty("java.home") + "/bin/java");
    }

    /**
     * @param withFlags  whether to pass {@link JvmFlags#required()}.
     * @param mainClass  the child's main class.
     * @param stderrFile where the child's stderr goes (appended).
     */
    static ChildJvm start(final boolean withFlags, final Class<?> mainClass, final Path stderrFile, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        if (withFlags)
        {
            command.addAll(JvmFlags.required());
        }
        command.addAll(TEST_PROPS);
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command);
        // nothing from the environment may smuggle flags into the child
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new ChildJvm(pb.start(), stderrFile);
    }

    private void pump(final InputStream in)
    {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // the stream ends when the child dies
        }
        finally
        {
            lines.add(EOF);
        }
    }

    Process process()
    {
        return process;
    }

    /**
     * @return the next stdout line, or null at end of stream.
     * @throws AssertionError when no line arrives before the deadline.
     */
    String nextLine(final long deadlineNanos) throws InterruptedException
    {
        if (eof)
        {
            return null;
        }
        final long remaining = deadlineNanos - System.nanoTime();
        final String line = lines.poll(Math.max(0, remaining), TimeUnit.NANOSECONDS);
        if (line == null)
        {
            throw new AssertionError("timed out waiting for output of child " + process.pid() + "; stderr:\n" + stderr());
        }
        if (line == EOF)
        {
            eof = true;
            return null;
        }
        return line;
    }

    /** Kills the child with SIGKILL and waits (bounded) for it to die. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            throw new AssertionError("child " + process.pid() + " did not die within 60 s of SIGKILL");
        }
    }

    /** Waits (bounded) for the stdout reader to reach end of stream. */
    void joinReader() throws InterruptedException
    {
        reader.join(TimeUnit.SECONDS.toMillis(60));
        if (reader.isAlive())
        {
            throw new AssertionError("stdout of child " + process.pid() + " did not end within 60 s");
        }
    }

    /** @return the child's stderr so far (for failure messages). */
    String stderr()
    {
        try
        {
            return Files.exists(stderrFile) ? Files.readString(stderrFile, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "<cannot read " + stderrFile + ": " + ex + ">";
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            process.getOutputStream().close();
        }
        catch (final IOException ignore)
        {
            // the child is gone
        }
    }

    /** Deletes a directory tree; best effort. */
    static void deleteTree(final Path root)
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
                {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            System.err.println("could not delete " + root + ": " + ex);
        }
    }
}
