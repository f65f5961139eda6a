package dev.aedb.nativetest;

import dev.aedb.AedbInstance;
import dev.aedb.model.Mutation;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process of {@link SecondProcessLockIT}: opens an instance on {@code args[0]}, commits one KV key, prints
 * {@code OPEN}, then blocks reading stdin until it is killed (or stdin ends).
 */
public final class LockHolder
{
    static final String PROJECT = "lock";
    static final String SCOPE = "app";
    static final byte[] KEY = "holder".getBytes(StandardCharsets.US_ASCII);

    private LockHolder()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final AedbInstance db = AedbInstance.open(Path.of(args[0]));
        db.createProject(PROJECT);
        db.commit(new Mutation.KvSet(PROJECT, SCOPE, KEY, Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
        System.out.println("OPEN");
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // hold the instance open
        }
        db.close();
    }
}
