package dev.aedb.io;

import dev.aedb.model.Mutation;

/** {@link IoFaults#NONE}: every method empty or constant, so calls through it inline to nothing. */
final class NoIoFaults implements IoFaults
{
    static final NoIoFaults INSTANCE = new NoIoFaults();

    private NoIoFaults()
    {
    }

    @Override
    public void beforeSync()
    {
    }

    @Override
    public void beforeAppend(final int frameBytes)
    {
    }

    @Override
    public long usableSpaceOverride()
    {
        return NO_OVERRIDE;
    }

    @Override
    public void crashPoint(final String name)
    {
    }

    @Override
    public void crashPoint(final String name, final Mutation mutation)
    {
    }

    @Override
    public String toString()
    {
        return "IoFaults.NONE";
    }
}
