package dev.aedb;

import dev.aedb.model.Expr;
import dev.aedb.model.Query;
import dev.aedb.model.QueryResult;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md's quick start is this test's code: the first {@code java} block after "## Quick start" is extracted,
 * compiled against the main classes and run with a temporary data directory; then the database it left is reopened
 * and checked through the public API.
 */
class QuickstartTest
{
    private static final Pattern SNIPPET = Pattern.compile("## Quick start\\R+```java\\R(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    static String readmeSnippet() throws IOException
    {
        final String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        final Matcher m = SNIPPET.matcher(readme);
        assertTrue(m.find(), "README.md has no ```java block right after '## Quick start'");
        return m.group(1);
    }

    @Test
    void shouldCompileAndRunTheReadmeQuickstart() throws Exception
    {
        final String snippet = readmeSnippet();
        final Path src = Files.createDirectories(dir.resolve("src"));
        final Path classes = Files.createDirectories(dir.resolve("classes"));
        final Path file = Files.writeString(src.resolve("Quickstart.java"), snippet, StandardCharsets.UTF_8);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "needs a JDK, not a JRE");
        final ByteArrayOutputStream compilerOutput = new ByteArrayOutputStream();
        final int rc = javac.run(null, compilerOutput, compilerOutput, "-proc:none", "-d", classes.toString(),
            "-cp", System.getProperty("java.class.path"), file.toString());
        assertEquals(0, rc, "the README quick start does not compile:\n" + compilerOutput.toString(StandardCharsets.UTF_8));

        final Path data = dir.resolve("data");
        final String printed;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, getClass().getClassLoader()))
        {
            final Method main = loader.loadClass("Quickstart").getMethod("main", String[].class);
            final PrintStream stdout = System.out;
            final ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try
            {
                main.invoke(null, (Object)new String[]{data.toString()});
            }
            finally
            {
                System.setOut(stdout);
            }
            printed = captured.toString(StandardCharsets.UTF_8);
        }
        assertTrue(printed.contains("alice"), "the quick start printed: " + printed);

        try (AedbInstance db = AedbInstance.open(new AedbConfig(), data))
        {
            final QueryResult result = db.query("demo", "app",
                Query.select("id", "username").from("users").where_(Expr.eq("id", Value.integer(1))));
            assertEquals(1, result.rows().size());
            assertEquals(Row.of(Value.integer(1), Value.text("alice")), result.rows().get(0));
            assertEquals("PrimaryKeyLookup", result.plan());
            assertEquals(db.headState().visibleHeadSeq(), result.snapshotSeq());
            assertTrue(printed.contains("read at commit " + result.snapshotSeq() + " by PrimaryKeyLookup"), printed);
        }
    }
}
