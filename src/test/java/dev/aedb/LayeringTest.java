package dev.aedb;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer table of docs/design.md section 1, enforced on the main classes: which of our packages each package may
 * use, that only the WAL touches Chronicle ({@code net.openhft}), and which classes of the internal packages may be
 * public (each with the reason). A new package fails {@link #everyPackageIsInTheTable} until it is added here and to
 * the design document; a new public internal class fails {@link #publicInternalsAreOnTheAllowlist} until it is made
 * package-private or justified below. Rules are never loosened to make code compile.
 */
class LayeringTest
{
    private static final String ROOT = "dev.aedb";

    /** Package (relative to dev.aedb, "" = the facade) -> the other packages of ours it may use. Bottom first. */
    static final Map<String, Set<String>> LAYERS = new LinkedHashMap<>();

    static
    {
        LAYERS.put("model", Set.of());
        LAYERS.put("agent", Set.of());
        LAYERS.put("io", Set.of("model"));
        LAYERS.put("codec", Set.of("model"));
        LAYERS.put("store", Set.of("model", "agent"));
        LAYERS.put("wal", Set.of("model", "io", "codec"));
        LAYERS.put("catalog", Set.of("model", "codec", "store"));
        LAYERS.put("checkpoint", Set.of("model", "agent", "io", "codec", "store", "catalog"));
        LAYERS.put("commit", Set.of("model", "agent", "io", "codec", "store", "wal", "catalog", "checkpoint"));
        LAYERS.put("query", Set.of("model", "codec", "store", "catalog"));
        LAYERS.put("", Set.of("model", "agent", "io", "codec", "store", "wal", "catalog", "checkpoint", "commit", "query"));
        LAYERS.put("cli", Set.of("", "model"));
    }

    /** The public API: every public type there is meant for users. */
    static final Set<String> PUBLIC_PACKAGES = Set.of("", "model");

    /**
     * Public classes of internal packages, each with the reason it cannot be package-private (Java has no
     * "visible to these packages" short of modules): who uses it across a package boundary.
     */
    static final Map<String, String> PUBLIC_INTERNALS = new TreeMap<>();

    static
    {
        PUBLIC_INTERNALS.put("agent.AgentHost", "the facade picks where agents run (threads, or invokers in tests); store and commit start theirs on it");
        PUBLIC_INTERNALS.put("agent.WakeableIdleStrategy", "store and commit idle their agents with it and wake them from their submit paths");
        PUBLIC_INTERNALS.put("io.IoFaults", "the per-instance fault seam: the facade's config carries it, wal and commit call it");
        PUBLIC_INTERNALS.put("io.FileRetirement", "wal and checkpoint retention delete large files in steps with it");
        PUBLIC_INTERNALS.put("codec.ByteReader", "commit (WAL replay) decodes frames with it");
        PUBLIC_INTERNALS.put("codec.ByteWriter", "the growable scratch buffer every encoder above codec writes into");
        PUBLIC_INTERNALS.put("codec.DecodeException", "commit tells undecodable WAL frames from rejected envelopes");
        PUBLIC_INTERNALS.put("codec.EnvelopeCodec", "commit encodes envelopes into WAL frames and decodes them on replay");
        PUBLIC_INTERNALS.put("codec.FrameDescriptor", "the WAL frame layout, shared by the writer (commit) and the readers (wal)");
        PUBLIC_INTERNALS.put("codec.KeyCodec", "catalog and query encode primary keys in the order the store keeps");
        PUBLIC_INTERNALS.put("codec.RowCodec", "commit encodes rows, query and the facade decode them");
        PUBLIC_INTERNALS.put("store.KeySpace", "the key space of a scope or table: catalog holds it, commit writes, query and facade read");
        PUBLIC_INTERNALS.put("store.KeySpaceWriter", "the write side of key spaces, for commit (the single writer) only");
        PUBLIC_INTERNALS.put("store.PinnedSlot", "a held snapshot owns its reader slot through it (Cleaner action)");
        PUBLIC_INTERNALS.put("store.ReaderStats", "reader-slot counts the facade turns into SnapshotStats");
        PUBLIC_INTERNALS.put("store.ImageBlock", "checkpoint maps an image's blocks; the store verifies and serves them");
        PUBLIC_INTERNALS.put("store.StoreImageWriter", "checkpoint writes the key spaces into an image in the arena's format");
        PUBLIC_INTERNALS.put("checkpoint.Checkpointer", "commit captures states for it and runs it as an agent");
        PUBLIC_INTERNALS.put("checkpoint.CheckpointRecovery", "the facade picks the checkpoint an open starts from; commit replays after it");
        PUBLIC_INTERNALS.put("store.Store", "the facade creates it; commit writes and publishes heads; the pin protocol");
        PUBLIC_INTERNALS.put("wal.ChronicleWal", "commit appends and syncs the WAL");
        PUBLIC_INTERNALS.put("wal.DirectoryLock", "the facade takes the directory lock; the sequencer checks it before writing");
        PUBLIC_INTERNALS.put("wal.WalFrameHandler", "commit's replay receives frames from WalReader through it");
        PUBLIC_INTERNALS.put("wal.WalReader", "commit's recovery reads and checks the WAL");
        PUBLIC_INTERNALS.put("wal.WalRebuild", "commit's PERMISSIVE recovery rebuilds the readable prefix");
        PUBLIC_INTERNALS.put("wal.WalState", "commit's recovery and the WAL record acknowledged and synced frames");
        PUBLIC_INTERNALS.put("catalog.CatalogState", "an immutable catalog version: commit builds them, query and facade read them");
        PUBLIC_INTERNALS.put("catalog.LiveCatalog", "the catalog in force: the facade creates it, commit publishes, readers look up");
        PUBLIC_INTERNALS.put("catalog.TableSchema", "a table's schema, read by commit, query and the facade");
        PUBLIC_INTERNALS.put("catalog.IndexSchema", "an index's definition, built by commit, decoded by checkpoint, read by query");
        PUBLIC_INTERNALS.put("catalog.IndexKeys", "commit writes index entries and query reads them with one key layout");
        PUBLIC_INTERNALS.put("catalog.TypeCheck", "commit and the facade check and encode primary-key values");
        PUBLIC_INTERNALS.put("commit.CommitEngine", "the facade opens, starts and closes the writer");
        PUBLIC_INTERNALS.put("commit.RecoveryPlanner", "the facade works out a recovery plan without opening (aedb recover --dry-run)");
        PUBLIC_INTERNALS.put("checkpoint.CheckpointView", "the facade serves AT_CHECKPOINT reads from the newest image");
        PUBLIC_INTERNALS.put("commit.CommitSettings", "the facade hands the commit layer its settings");
        PUBLIC_INTERNALS.put("query.QueryExecutor", "the facade runs queries at a snapshot");
        PUBLIC_INTERNALS.put("cli.Main", "the executable jar's entry point");
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses()
    {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
        assertTrue(classes.size() > 50, "imported only " + classes.size() + " classes");
    }

    static String layerOf(final String packageName)
    {
        if (packageName.equals(ROOT))
        {
            return "";
        }
        final String rest = packageName.substring(ROOT.length() + 1);
        final int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static String fullName(final String layer)
    {
        return layer.isEmpty() ? ROOT : ROOT + "." + layer;
    }

    @Test
    void everyPackageIsInTheTable()
    {
        final Set<String> unknown = new TreeSet<>();
        for (final JavaClass c : classes)
        {
            if (!LAYERS.containsKey(layerOf(c.getPackageName())) || !c.getPackageName().equals(fullName(layerOf(c.getPackageName()))))
            {
                unknown.add(c.getPackageName());
            }
        }
        assertEquals(Set.of(), unknown, "packages missing from the layer table (LayeringTest.LAYERS, docs/design.md section 1)");
    }

    @Test
    void eachPackageUsesOnlyTheLayersItMay()
    {
        for (final Map.Entry<String, Set<String>> e : LAYERS.entrySet())
        {
            final List<String> forbidden = new ArrayList<>();
            for (final String other : LAYERS.keySet())
            {
                if (!other.equals(e.getKey()) && !e.getValue().contains(other))
                {
                    forbidden.add(fullName(other));
                }
            }
            noClasses().that().resideInAPackage(fullName(e.getKey()))
                .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                .because("the layer table lets " + fullName(e.getKey()) + " use only " + e.getValue())
                .check(classes);
        }
    }

    /** The JMH benchmarks (a separate Maven project, not imported above) are users: public API only. */
    @Test
    void theBenchmarksUseOnlyThePublicApi() throws IOException
    {
        final Pattern ours = Pattern.compile("\\bdev\\.aedb\\.([a-z]+)\\.[A-Za-z]");
        final List<String> violations = new ArrayList<>();
        final Path jmh = Path.of("jmh", "src");
        assertTrue(Files.isDirectory(jmh), "no " + jmh.toAbsolutePath());
        try (Stream<Path> files = Files.walk(jmh))
        {
            for (final Path f : files.filter(p -> p.toString().endsWith(".java")).toList())
            {
                final Matcher m = ours.matcher(Files.readString(f));
                while (m.find())
                {
                    if (!PUBLIC_PACKAGES.contains(m.group(1)) && !m.group(1).equals("bench"))
                    {
                        violations.add(f.getFileName() + ": " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "jmh/ uses internal packages");
    }

    @Test
    void onlyTheWalTouchesChronicle()
    {
        noClasses().that().resideOutsideOfPackage(fullName("wal"))
            .should().dependOnClassesThat().resideInAPackage("net.openhft..")
            .because("Chronicle Queue is the WAL's implementation, hidden behind dev.aedb.wal")
            .check(classes);
    }

    @Test
    void theModelUsesOnlyTheJdk()
    {
        noClasses().that().resideInAPackage(fullName("model"))
            .should().dependOnClassesThat(new DescribedPredicate<JavaClass>("are outside the JDK")
            {
                @Override
                public boolean test(final JavaClass c)
                {
                    final String p = c.getPackageName();
                    return !(p.startsWith("java.") || p.startsWith("javax.") || p.equals(fullName("model")) || p.isEmpty());
                }
            })
            .because("the model is the leaf every layer shares")
            .check(classes);
    }

    @Test
    void publicInternalsAreOnTheAllowlist()
    {
        final Set<String> publicInternals = new TreeSet<>();
        for (final JavaClass c : classes)
        {
            final String layer = layerOf(c.getPackageName());
            if (!PUBLIC_PACKAGES.contains(layer) && c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC))
            {
                publicInternals.add(layer + "." + c.getSimpleName());
            }
        }
        final Set<String> notAllowed = new TreeSet<>(publicInternals);
        notAllowed.removeAll(PUBLIC_INTERNALS.keySet());
        assertEquals(Set.of(), notAllowed, "public classes in internal packages that are not on the allowlist: make them "
            + "package-private, or add them to LayeringTest.PUBLIC_INTERNALS with the reason");
        final Set<String> stale = new TreeSet<>(PUBLIC_INTERNALS.keySet());
        stale.removeAll(publicInternals);
        assertEquals(Set.of(), stale, "allowlist entries that are no longer public classes: remove them");
    }
}
