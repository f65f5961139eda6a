package dev.aedb.commit;

import dev.aedb.CommitResult;

import java.util.concurrent.CompletableFuture;

/**
 * An envelope on its way through the sequencer, completed with its {@link CommitResult} when it is acknowledged
 * under the durability mode, or exceptionally when it is rejected.
 */
final class PendingCommit extends CompletableFuture<CommitResult>
{
    static final int COMMIT = 1;
    static final int SYNC = 2;

    final int kind;
    final TransactionEnvelope envelope;
    final byte[] frame;
    final int payloadLength;
    final byte[] fingerprint;
    long seq;
    boolean duplicate;

    PendingCommit(final int kind, final TransactionEnvelope envelope, final byte[] frame, final int payloadLength,
        final byte[] fingerprint)
    {
        this.kind = kind;
        this.envelope = envelope;
        this.frame = frame;
        this.payloadLength = payloadLength;
        this.fingerprint = fingerprint;
    }
}
