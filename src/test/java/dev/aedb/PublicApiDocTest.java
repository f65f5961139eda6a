package dev.aedb;

import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public type and member of the public API (the facade package {@code dev.aedb} and {@code dev.aedb.model}) has
 * a Javadoc comment, and no comment there is malformed or links to something that does not exist. Runs the JDK's
 * doclint (the checks of {@code javac -Xdoclint}) over those sources; a missing {@code @param} is allowed, a missing
 * comment is not.
 */
class PublicApiDocTest
{
    @Test
    void everyPublicMemberOfTheApiIsDocumented() throws IOException
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "needs a JDK, not a JRE");
        final Path sources = Path.of("src", "main", "java");
        final List<Path> files = new ArrayList<>();
        for (final String pkg : new String[]{"dev/aedb", "dev/aedb/model"})
        {
            try (Stream<Path> s = Files.list(sources.resolve(pkg)))
            {
                s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        assertTrue(files.size() > 30, "found only " + files.size() + " sources");
        final Path out = Files.createTempDirectory("aedb-doclint");
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, null))
        {
            final List<String> options = List.of("-d", out.toString(), "-proc:none", "-implicit:none",
                "-sourcepath", sources.toString(), "-cp", System.getProperty("java.class.path"),
                "-Xmaxwarns", "10000", "-Xdoclint:all/public", "-Xdoclint/package:dev.aedb,dev.aedb.model");
            javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
        finally
        {
            TestSupport.deleteTree(out);
        }
        final List<String> problems = new ArrayList<>();
        for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
        {
            final String message = d.getMessage(Locale.ROOT);
            final boolean inApi = d.getSource() != null && files.stream().anyMatch(f -> d.getSource().toUri().equals(f.toUri()));
            final boolean missingTag = message.startsWith("no @") || message.equals("no main description");
            if (inApi && !missingTag && (d.getKind() == Diagnostic.Kind.ERROR || message.equals("no comment")))
            {
                problems.add(Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber() + ": " + message);
            }
        }
        assertEquals(List.of(), problems, "undocumented or broken Javadoc in the public API");
    }
}
