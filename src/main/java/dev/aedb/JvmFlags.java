package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags Chronicle Queue and Agrona need. The list itself lives in one place, the {@code aedb.jvm.flags}
 * property of {@code pom.xml}, and reaches this class through the filtered resource {@code dev/aedb/jvm-flags.properties}.
 */
public final class JvmFlags
{
    private static final String RESOURCE = "/dev/aedb/jvm-flags.properties";
    private static volatile boolean checked;

    private JvmFlags()
    {
    }

    /** @return the flags every JVM that opens an instance must be started with, in command-line form. */
    public static List<String> required()
    {
        final Properties properties = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + RESOURCE, ex);
        }
        final List<String> flags = new ArrayList<>();
        for (final String flag : properties.getProperty("flags").trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                flags.add(flag);
            }
        }
        final String extra = properties.getProperty("flags.jdk24", "").trim();
        if (Runtime.version().feature() >= 24 && !extra.isEmpty())
        {
            flags.add(extra);
        }
        return flags;
    }

    /** @return the required export and open flags that this JVM was not started with (empty when all are in force). */
    public static List<String> missing()
    {
        final Module unnamed = JvmFlags.class.getClassLoader().getUnnamedModule();
        final List<String> missing = new ArrayList<>();
        for (final String flag : required())
        {
            final boolean export = flag.startsWith("--add-exports=");
            final boolean open = flag.startsWith("--add-opens=");
            if (!export && !open)
            {
                continue;
            }
            final String spec = flag.substring(flag.indexOf('=') + 1, flag.lastIndexOf('='));
            final String moduleName = spec.substring(0, spec.indexOf('/'));
            final String packageName = spec.substring(spec.indexOf('/') + 1);
            final Module module = ModuleLayer.boot().findModule(moduleName).orElse(null);
            final boolean ok = module != null && (export ? module.isExported(packageName, unnamed) : module.isOpen(packageName, unnamed));
            if (!ok)
            {
                missing.add(flag);
            }
        }
        return missing;
    }

    /**
     * @throws AedbException with {@link ErrorCode#JVM_FLAGS_MISSING} naming every missing flag.
     */
    public static void check()
    {
        if (checked)
        {
            return; // a JVM's flags cannot change once it runs
        }
        final List<String> missing = missing();
        if (!missing.isEmpty())
        {
            throw new AedbException(ErrorCode.JVM_FLAGS_MISSING,
                "this JVM lacks flags that Chronicle Queue and Agrona need; start it with: " + String.join(" ", missing)
                + " (full list: " + String.join(" ", required()) + ")");
        }
        checked = true;
    }
}
