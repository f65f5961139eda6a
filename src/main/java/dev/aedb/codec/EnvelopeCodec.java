package dev.aedb.codec;

import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logical payload of a WAL commit frame: the envelope exactly as submitted, so replay re-applies it through
 * the same code as the live commit. Little-endian:
 * <pre>
 *   u8 payloadVersion (1) | string caller (-1 = anonymous) | u8 hasIdempotency
 *     [ sized bytes key | 16 bytes request fingerprint ] |
 *   u32 assertionCount | assertions | u32 mutationCount | mutations
 * </pre>
 * Strings and byte arrays are u32 length + bytes; values are u8 type tag (0 = NULL, else {@link ColumnType#tag()})
 * + the row-format body. Every mutation and assertion starts with a u8 kind tag (see the constants).
 */
public final class EnvelopeCodec
{
    public static final int PAYLOAD_VERSION = 1;

    private static final int M_DDL = 1;
    private static final int M_INSERT = 2;
    private static final int M_UPSERT = 3;
    private static final int M_DELETE = 4;
    private static final int M_UPDATE_FIELDS = 5;
    private static final int M_KV_SET = 6;
    private static final int M_KV_DEL = 7;
    private static final int M_KV_INC_U256 = 8;
    private static final int M_KV_DEC_U256 = 9;

    private static final int D_CREATE_PROJECT = 1;
    private static final int D_DROP_PROJECT = 2;
    private static final int D_CREATE_SCOPE = 3;
    private static final int D_DROP_SCOPE = 4;
    private static final int D_CREATE_TABLE = 5;
    private static final int D_DROP_TABLE = 6;
    private static final int D_ADD_COLUMN = 7;
    private static final int D_CREATE_INDEX = 8;
    private static final int D_DROP_INDEX = 9;

    private static final int A_KEY_VERSION = 1;
    private static final int A_KEY_EXISTS = 2;
    private static final int A_ROW_VERSION = 3;
    private static final int A_ROW_EXISTS = 4;

    /** Length of the request fingerprint stored with an idempotency key. */
    public static final int FINGERPRINT_LENGTH = 16;

    private EnvelopeCodec()
    {
    }

    /**
     * An upper bound of {@link #encode}'s length for envelopes of key-value sets and deletes without assertions (a few
     * bytes over for ASCII names, up to 3 bytes a char for others), and a rough estimate for the rest, so that the
     * encoder's buffer is sized once: growing it step by step from a small start copied a 100-put envelope's bytes
     * about five times.
     *
     * @param cap the largest answer (the envelope limit: a larger envelope is refused anyway).
     * @return the estimate, at most {@code cap}.
     */
    public static int sizeHint(final TransactionEnvelope envelope, final int cap)
    {
        long bytes = 64L + stringHint(envelope.caller() == null ? null : envelope.caller().callerId())
            + (envelope.idempotencyKey() == null ? 0 : 4L + envelope.idempotencyKey().length + FINGERPRINT_LENGTH)
            + 96L * envelope.assertions().size();
        for (final Mutation m : envelope.mutations())
        {
            if (m instanceof Mutation.KvSet x)
            {
                bytes += 21L + stringHint(x.projectId()) + stringHint(x.scopeId()) + x.key().length + x.value().length;
            }
            else if (m instanceof Mutation.KvDel x)
            {
                bytes += 13L + stringHint(x.projectId()) + stringHint(x.scopeId()) + x.key().length;
            }
            else
            {
                bytes += 128L;
            }
            if (bytes >= cap)
            {
                return cap;
            }
        }
        return (int)Math.min(bytes, cap);
    }

    private static long stringHint(final String s)
    {
        return s == null ? 0 : 3L * s.length(); // a UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair 4 for 2)
    }

    /**
     * Encodes the request part (assertions and mutations) that the idempotency fingerprint covers.
     */
    public static void encodeRequest(final TransactionEnvelope envelope, final ByteWriter w)
    {
        w.putInt(envelope.assertions().size());
        for (final Assertion a : envelope.assertions())
        {
            encodeAssertion(a, w);
        }
        w.putInt(envelope.mutations().size());
        for (final Mutation m : envelope.mutations())
        {
            encodeMutation(m, w);
        }
    }

    /**
     * @param envelope    the envelope.
     * @param fingerprint 16 bytes when the envelope has an idempotency key, else ignored.
     * @param w           destination.
     */
    public static void encode(final TransactionEnvelope envelope, final byte[] fingerprint, final ByteWriter w)
    {
        w.putByte(PAYLOAD_VERSION);
        w.putString(envelope.caller() == null ? null : envelope.caller().callerId());
        if (envelope.idempotencyKey() != null)
        {
            w.putByte(1);
            w.putSizedBytes(envelope.idempotencyKey());
            w.putBytes(fingerprint, 0, FINGERPRINT_LENGTH);
        }
        else
        {
            w.putByte(0);
        }
        encodeRequest(envelope, w);
    }

    /** A decoded payload. */
    public record Decoded(TransactionEnvelope envelope, byte[] fingerprint)
    {
    }

    /**
     * @throws DecodeException when the bytes are not a valid payload.
     */
    public static Decoded decode(final ByteReader r)
    {
        final int version = r.getByte();
        if (version != PAYLOAD_VERSION)
        {
            throw new DecodeException("unknown payload version " + version);
        }
        final String caller = r.getString();
        byte[] key = null;
        byte[] fingerprint = null;
        if (r.getByte() == 1)
        {
            key = r.getSizedBytes();
            fingerprint = r.getBytes(FINGERPRINT_LENGTH);
        }
        final int assertionCount = count(r);
        final List<Assertion> assertions = new ArrayList<>(assertionCount);
        for (int i = 0; i < assertionCount; i++)
        {
            assertions.add(decodeAssertion(r));
        }
        final int mutationCount = count(r);
        final List<Mutation> mutations = new ArrayList<>(mutationCount);
        for (int i = 0; i < mutationCount; i++)
        {
            mutations.add(decodeMutation(r));
        }
        r.expectEnd();
        return new Decoded(new TransactionEnvelope(caller == null ? null : new CallerContext(caller), key, assertions, mutations),
            fingerprint);
    }

    private static int count(final ByteReader r)
    {
        final int n = r.getInt();
        if (n < 0 || n > r.remaining())
        {
            throw new DecodeException("bad count " + n);
        }
        return n;
    }

    private static void encodeMutation(final Mutation m, final ByteWriter w)
    {
        if (m instanceof Mutation.Ddl d)
        {
            w.putByte(M_DDL);
            encodeDdl(d.operation(), w);
        }
        else if (m instanceof Mutation.Insert x)
        {
            w.putByte(M_INSERT);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
            putValues(w, x.row().values());
        }
        else if (m instanceof Mutation.Upsert x)
        {
            w.putByte(M_UPSERT);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
            putValues(w, x.row().values());
        }
        else if (m instanceof Mutation.Delete x)
        {
            w.putByte(M_DELETE);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
        }
        else if (m instanceof Mutation.UpdateFields x)
        {
            w.putByte(M_UPDATE_FIELDS);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
            w.putInt(x.fields().size());
            for (final Map.Entry<String, Value> e : x.fields().entrySet())
            {
                w.putString(e.getKey());
                putValue(w, e.getValue());
            }
        }
        else if (m instanceof Mutation.KvSet x)
        {
            w.putByte(M_KV_SET);
            w.putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key()).putSizedBytes(x.value());
        }
        else if (m instanceof Mutation.KvDel x)
        {
            w.putByte(M_KV_DEL);
            w.putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key());
        }
        else if (m instanceof Mutation.KvIncU256 x)
        {
            w.putByte(M_KV_INC_U256);
            w.putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key()).putSizedBytes(x.amount());
        }
        else if (m instanceof Mutation.KvDecU256 x)
        {
            w.putByte(M_KV_DEC_U256);
            w.putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key()).putSizedBytes(x.amount());
        }
        else
        {
            throw new IllegalArgumentException("unknown mutation " + m);
        }
    }

    private static Mutation decodeMutation(final ByteReader r)
    {
        final int kind = r.getByte();
        switch (kind)
        {
            case M_DDL:
                return new Mutation.Ddl(decodeDdl(r));
            case M_INSERT:
                return new Mutation.Insert(r.getString(), r.getString(), r.getString(), getValues(r), Row.fromValues(getValues(r)));
            case M_UPSERT:
                return new Mutation.Upsert(r.getString(), r.getString(), r.getString(), getValues(r), Row.fromValues(getValues(r)));
            case M_DELETE:
                return new Mutation.Delete(r.getString(), r.getString(), r.getString(), getValues(r));
            case M_UPDATE_FIELDS:
            {
                final String p = r.getString();
                final String s = r.getString();
                final String t = r.getString();
                final List<Value> pk = getValues(r);
                final int n = count(r);
                final Map<String, Value> fields = new LinkedHashMap<>();
                for (int i = 0; i < n; i++)
                {
                    fields.put(r.getString(), getValue(r));
                }
                return new Mutation.UpdateFields(p, s, t, pk, fields);
            }
            case M_KV_SET:
                return new Mutation.KvSet(r.getString(), r.getString(), r.getSizedBytes(), r.getSizedBytes());
            case M_KV_DEL:
                return new Mutation.KvDel(r.getString(), r.getString(), r.getSizedBytes());
            case M_KV_INC_U256:
                return new Mutation.KvIncU256(r.getString(), r.getString(), r.getSizedBytes(), r.getSizedBytes());
            case M_KV_DEC_U256:
                return new Mutation.KvDecU256(r.getString(), r.getString(), r.getSizedBytes(), r.getSizedBytes());
            default:
                throw new DecodeException("unknown mutation kind " + kind);
        }
    }

    private static void encodeDdl(final DdlOperation op, final ByteWriter w)
    {
        if (op instanceof DdlOperation.CreateProject x)
        {
            w.putByte(D_CREATE_PROJECT).putString(x.projectId()).putString(x.ownerId()).putByte(x.ifNotExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.DropProject x)
        {
            w.putByte(D_DROP_PROJECT).putString(x.projectId()).putByte(x.ifExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.CreateScope x)
        {
            w.putByte(D_CREATE_SCOPE).putString(x.projectId()).putString(x.scopeId()).putString(x.ownerId())
                .putByte(x.ifNotExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.DropScope x)
        {
            w.putByte(D_DROP_SCOPE).putString(x.projectId()).putString(x.scopeId()).putByte(x.ifExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.CreateTable x)
        {
            w.putByte(D_CREATE_TABLE);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            w.putString(x.ownerId());
            w.putInt(x.columns().size());
            for (final ColumnDef c : x.columns())
            {
                putColumn(w, c);
            }
            w.putInt(x.primaryKey().size());
            for (final String k : x.primaryKey())
            {
                w.putString(k);
            }
            w.putByte(x.ifNotExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.DropTable x)
        {
            w.putByte(D_DROP_TABLE);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            w.putByte(x.ifExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.AlterTableAddColumn x)
        {
            w.putByte(D_ADD_COLUMN);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putColumn(w, x.column());
        }
        else if (op instanceof DdlOperation.CreateIndex x)
        {
            w.putByte(D_CREATE_INDEX);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            w.putString(x.indexName());
            w.putInt(x.columns().size());
            for (final String c : x.columns())
            {
                w.putString(c);
            }
            w.putByte(x.unique() ? 1 : 0);
            w.putByte(x.ifNotExists() ? 1 : 0);
        }
        else if (op instanceof DdlOperation.DropIndex x)
        {
            w.putByte(D_DROP_INDEX);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            w.putString(x.indexName());
            w.putByte(x.ifExists() ? 1 : 0);
        }
        else
        {
            throw new IllegalArgumentException("unknown ddl " + op);
        }
    }

    private static DdlOperation decodeDdl(final ByteReader r)
    {
        final int kind = r.getByte();
        switch (kind)
        {
            case D_CREATE_PROJECT:
                return new DdlOperation.CreateProject(r.getString(), r.getString(), r.getByte() == 1);
            case D_DROP_PROJECT:
                return new DdlOperation.DropProject(r.getString(), r.getByte() == 1);
            case D_CREATE_SCOPE:
                return new DdlOperation.CreateScope(r.getString(), r.getString(), r.getString(), r.getByte() == 1);
            case D_DROP_SCOPE:
                return new DdlOperation.DropScope(r.getString(), r.getString(), r.getByte() == 1);
            case D_CREATE_TABLE:
            {
                final String p = r.getString();
                final String s = r.getString();
                final String t = r.getString();
                final String owner = r.getString();
                final int nc = count(r);
                final List<ColumnDef> columns = new ArrayList<>(nc);
                for (int i = 0; i < nc; i++)
                {
                    columns.add(getColumn(r));
                }
                final int nk = count(r);
                final List<String> pk = new ArrayList<>(nk);
                for (int i = 0; i < nk; i++)
                {
                    pk.add(r.getString());
                }
                return new DdlOperation.CreateTable(p, s, t, owner, columns, pk, r.getByte() == 1);
            }
            case D_DROP_TABLE:
                return new DdlOperation.DropTable(r.getString(), r.getString(), r.getString(), r.getByte() == 1);
            case D_ADD_COLUMN:
                return new DdlOperation.AlterTableAddColumn(r.getString(), r.getString(), r.getString(), getColumn(r));
            case D_CREATE_INDEX:
            {
                final String p = r.getString();
                final String s = r.getString();
                final String t = r.getString();
                final String name = r.getString();
                final int nc = count(r);
                final List<String> columns = new ArrayList<>(nc);
                for (int i = 0; i < nc; i++)
                {
                    columns.add(r.getString());
                }
                final boolean unique = r.getByte() == 1;
                return new DdlOperation.CreateIndex(p, s, t, name, columns, unique, r.getByte() == 1);
            }
            case D_DROP_INDEX:
                return new DdlOperation.DropIndex(r.getString(), r.getString(), r.getString(), r.getString(), r.getByte() == 1);
            default:
                throw new DecodeException("unknown ddl kind " + kind);
        }
    }

    private static void encodeAssertion(final Assertion a, final ByteWriter w)
    {
        if (a instanceof Assertion.KeyVersion x)
        {
            w.putByte(A_KEY_VERSION).putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key()).putLong(x.expectedSeq());
        }
        else if (a instanceof Assertion.KeyExists x)
        {
            w.putByte(A_KEY_EXISTS).putString(x.projectId()).putString(x.scopeId()).putSizedBytes(x.key())
                .putByte(x.expected() ? 1 : 0);
        }
        else if (a instanceof Assertion.RowVersion x)
        {
            w.putByte(A_ROW_VERSION);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
            w.putLong(x.expectedSeq());
        }
        else if (a instanceof Assertion.RowExists x)
        {
            w.putByte(A_ROW_EXISTS);
            tableRef(w, x.projectId(), x.scopeId(), x.tableName());
            putValues(w, x.primaryKey());
            w.putByte(x.expected() ? 1 : 0);
        }
        else
        {
            throw new IllegalArgumentException("unknown assertion " + a);
        }
    }

    private static Assertion decodeAssertion(final ByteReader r)
    {
        final int kind = r.getByte();
        switch (kind)
        {
            case A_KEY_VERSION:
                return new Assertion.KeyVersion(r.getString(), r.getString(), r.getSizedBytes(), r.getLong());
            case A_KEY_EXISTS:
                return new Assertion.KeyExists(r.getString(), r.getString(), r.getSizedBytes(), r.getByte() == 1);
            case A_ROW_VERSION:
                return new Assertion.RowVersion(r.getString(), r.getString(), r.getString(), getValues(r), r.getLong());
            case A_ROW_EXISTS:
                return new Assertion.RowExists(r.getString(), r.getString(), r.getString(), getValues(r), r.getByte() == 1);
            default:
                throw new DecodeException("unknown assertion kind " + kind);
        }
    }

    private static void tableRef(final ByteWriter w, final String p, final String s, final String t)
    {
        w.putString(p).putString(s).putString(t);
    }

    private static void putColumn(final ByteWriter w, final ColumnDef c)
    {
        w.putString(c.name()).putByte(c.type() == null ? 0 : c.type().tag()).putByte(c.nullable() ? 1 : 0);
    }

    private static ColumnDef getColumn(final ByteReader r)
    {
        final String name = r.getString();
        final int tag = r.getByte();
        final ColumnType type = ColumnType.fromTag(tag);
        if (type == null)
        {
            throw new DecodeException("unknown column type tag " + tag);
        }
        return new ColumnDef(name, type, r.getByte() == 1);
    }

    private static void putValues(final ByteWriter w, final List<Value> values)
    {
        w.putInt(values.size());
        for (final Value v : values)
        {
            putValue(w, v);
        }
    }

    private static List<Value> getValues(final ByteReader r)
    {
        final int n = count(r);
        final List<Value> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            out.add(getValue(r));
        }
        return out;
    }

    private static void putValue(final ByteWriter w, final Value v)
    {
        if (v == null || v instanceof Value.Null)
        {
            w.putByte(0);
            return;
        }
        w.putByte(v.type().tag());
        RowCodec.putBody(v, w);
    }

    private static Value getValue(final ByteReader r)
    {
        final int tag = r.getByte();
        if (tag == 0)
        {
            return Value.NULL;
        }
        final ColumnType type = ColumnType.fromTag(tag);
        if (type == null)
        {
            throw new DecodeException("unknown value tag " + tag);
        }
        return switch (type)
        {
            case INTEGER -> Value.integer(r.getLong());
            case TIMESTAMP -> Value.timestamp(r.getLong());
            case U64 -> Value.u64(r.getLong());
            case FLOAT -> Value.float64(Double.longBitsToDouble(r.getLong()));
            case BOOLEAN -> Value.bool(r.getByte() == 1);
            case U256 -> new Value.U256(r.getBytes(32));
            case BLOB -> Value.blob(r.getSizedBytes());
            case TEXT -> Value.text(new String(r.getSizedBytes(), StandardCharsets.UTF_8));
            case JSON -> Value.json(new String(r.getSizedBytes(), StandardCharsets.UTF_8));
        };
    }
}
