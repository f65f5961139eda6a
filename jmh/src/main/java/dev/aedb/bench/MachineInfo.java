package dev.aedb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What the results table says about the machine: CPUs, memory, kernel, CPU model, and the file system and block
 * device under the directory the benchmarks wrote to (from /proc and /sys; "unknown" where Linux does not say).
 * Virtual disks often report {@code rotational=1} whatever backs them, so the driver and cache mode are shown too.
 */
record MachineInfo(int cpus, String memory, String kernel, String cpuModel, String disk)
{
    /** Probes this machine; {@code dataDir} is where the benchmarks' stores lived. */
    static MachineInfo probe(final Path dataDir)
    {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), readMemory(), readKernel(), readCpuModel(), readDisk(dataDir));
    }

    private static String readMemory()
    {
        for (final String line : lines(Path.of("/proc/meminfo")))
        {
            if (line.startsWith("MemTotal:"))
            {
                final long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                return String.format(Locale.ROOT, "%.1f GiB", kib / (1024.0 * 1024.0));
            }
        }
        return "unknown";
    }

    private static String readKernel()
    {
        final List<String> release = lines(Path.of("/proc/sys/kernel/osrelease"));
        return System.getProperty("os.name") + " " + (release.isEmpty() ? System.getProperty("os.version") : release.get(0));
    }

    private static String readCpuModel()
    {
        for (final String line : lines(Path.of("/proc/cpuinfo")))
        {
            if (line.startsWith("model name"))
            {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    /** The mount with the longest mount point that contains {@code dataDir}, and what /sys says of its device. */
    private static String readDisk(final Path dataDir)
    {
        final String dir = dataDir.toAbsolutePath().normalize().toString();
        String device = null;
        String fsType = null;
        int best = -1;
        for (final String line : lines(Path.of("/proc/self/mounts")))
        {
            final String[] f = line.split(" ");
            if (f.length < 3)
            {
                continue;
            }
            final String mountPoint = f[1];
            final boolean contains = dir.equals(mountPoint) || dir.startsWith(mountPoint.endsWith("/") ? mountPoint : mountPoint + "/");
            if (contains && mountPoint.length() > best)
            {
                best = mountPoint.length();
                device = f[0];
                fsType = f[2];
            }
        }
        if (device == null)
        {
            return "unknown";
        }
        final StringBuilder out = new StringBuilder(fsType + " on " + device);
        if (device.startsWith("/dev/"))
        {
            final String block = blockDevice(device.substring("/dev/".length()));
            final Path sys = Path.of("/sys/block", block);
            if (Files.isDirectory(sys))
            {
                out.append(" (");
                final String driver = driver(sys);
                if (driver != null)
                {
                    out.append(driver).append(", ");
                }
                final String model = first(sys.resolve("device/model"));
                if (model != null && !model.isBlank())
                {
                    out.append("model ").append(model.trim()).append(", ");
                }
                out.append("rotational=").append(orUnknown(first(sys.resolve("queue/rotational"))));
                String cache = first(sys.resolve("cache_type"));
                if (cache == null)
                {
                    cache = first(sys.resolve("queue/write_cache"));
                }
                out.append(", ").append(orUnknown(cache)).append(" cache)");
            }
        }
        return out.toString();
    }

    /** @return the whole-disk name of a partition ({@code sda1 -> sda}, {@code nvme0n1p2 -> nvme0n1}), or the name. */
    private static String blockDevice(final String name)
    {
        final Path partition = Path.of("/sys/class/block", name, "partition");
        if (Files.exists(partition))
        {
            try
            {
                return Path.of("/sys/class/block", name).toRealPath().getParent().getFileName().toString();
            }
            catch (final IOException ex)
            {
                return name;
            }
        }
        return name;
    }

    private static String driver(final Path sysBlock)
    {
        try
        {
            return sysBlock.resolve("device/driver").toRealPath().getFileName().toString();
        }
        catch (final IOException ex)
        {
            try
            {
                // virtio devices: /sys/block/vda/device is the virtio device, its driver one level up
                return sysBlock.resolve("device").toRealPath().resolve("driver").toRealPath().getFileName().toString();
            }
            catch (final IOException ignored)
            {
                return null;
            }
        }
    }

    private static String orUnknown(final String s)
    {
        return s == null ? "unknown" : s.trim();
    }

    private static String first(final Path file)
    {
        final List<String> lines = lines(file);
        return lines.isEmpty() ? null : lines.get(0);
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.readAllLines(file);
        }
        catch (final IOException | RuntimeException ex)
        {
            return List.of();
        }
    }
}
