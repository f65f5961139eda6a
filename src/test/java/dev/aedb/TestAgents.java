package dev.aedb;

import dev.aedb.agent.AgentHost;

import java.nio.file.Path;

/** Lets tests of other packages open an instance whose agents they step through invokers. */
public final class TestAgents
{
    private TestAgents()
    {
    }

    /**
     * Opens {@code dir} with its agents run by {@code agents} (see {@link AgentHost#invokers()}); the sequencer
     * acknowledges nothing until invoked, so commit with {@code commitAsync} only.
     */
    public static AedbInstance open(final AedbConfig config, final Path dir, final AgentHost agents)
    {
        return AedbInstance.open(config, dir, agents);
    }
}
