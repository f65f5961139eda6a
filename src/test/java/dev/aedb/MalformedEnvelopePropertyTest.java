package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Mutation;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property: no envelope, however malformed, stops the engine. Seeded random envelopes with Java nulls anywhere
 * (fields, list elements, map keys and values), wrong types, wrong arities, unknown projects, tables and columns,
 * bad identifiers, text UTF-8 cannot encode, non-finite floats, bad JSON, and sizes over every limit are built and
 * committed (blocking and async). Each must either commit or fail with a typed {@link AedbException} whose code
 * is a rejection: never PREVIOUS_FAILURE, IO_ERROR or INTERNAL_ERROR, never an untyped exception. Valid commits keep
 * working with dense seqs throughout, and a reopen replays the log to exactly the same state.
 * Set -Daedb.malformed.seed to replay a failure, -Daedb.malformed.steps for a longer run.
 */
class MalformedEnvelopePropertyTest
{
    private static final Set<ErrorCode> ENGINE_STOPPED = Set.of(ErrorCode.PREVIOUS_FAILURE, ErrorCode.IO_ERROR,
        ErrorCode.INTERNAL_ERROR, ErrorCode.CLOSED);
    private static final String[] TABLES = {"users", "docs"};
    private static final ColumnType[] TYPES = ColumnType.values();

    @TempDir
    Path dir;

    private Random random;
    private int tableCounter;

    private AedbConfig config()
    {
        return TestSupport.smallConfig().durability(Durability.OS_BUFFERED).maxKvKeyBytes(64).maxValueBytes(4096)
            .maxEnvelopeBytes(64 * 1024).maxMutationsPerEnvelope(16);
    }

    @Test
    void shouldNeverStopTheEngineWhenFedRandomMalformedEnvelopes() throws Exception
    {
        final long seed = Long.getLong("aedb.malformed.seed", System.nanoTime());
        final int steps = Integer.getInteger("aedb.malformed.steps", 3000);
        System.out.println("MalformedEnvelopePropertyTest seed=" + seed + " (rerun with -Daedb.malformed.seed=" + seed + ")");
        random = new Random(seed);
        final Map<String, Object> before;
        final HeadState headBefore;
        int committed = 0;
        int rejected = 0;
        final Map<ErrorCode, Integer> codes = new java.util.TreeMap<>();
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            db.createProject("p");
            db.createTable("p", "app", "users", List.of(ColumnDef.of("id", ColumnType.INTEGER), ColumnDef.of("name", ColumnType.TEXT),
                ColumnDef.nullable("age", ColumnType.INTEGER)), List.of("id"));
            db.createTable("p", "app", "docs", List.of(ColumnDef.of("name", ColumnType.TEXT), ColumnDef.nullable("body", ColumnType.BLOB),
                ColumnDef.nullable("f", ColumnType.FLOAT), ColumnDef.nullable("j", ColumnType.JSON),
                ColumnDef.nullable("u", ColumnType.U256), ColumnDef.nullable("b", ColumnType.BOOLEAN)), List.of("name"));
            for (int step = 0; step < steps; step++)
            {
                final String where = "seed=" + seed + " step=" + step;
                Object outcome;
                TransactionEnvelope envelope = null;
                try
                {
                    envelope = envelope();
                    outcome = submit(db, envelope, random.nextBoolean());
                }
                catch (final AedbException ex)
                {
                    outcome = ex; // refused while being built (a model type's own check) or at submit
                }
                catch (final Throwable t)
                {
                    throw new AssertionError(where + ": untyped " + t + " for " + brief(envelope), t);
                }
                if (outcome instanceof AedbException ex)
                {
                    if (ENGINE_STOPPED.contains(ex.code()))
                    {
                        fail(where + ": " + ex.getMessage() + " for " + brief(envelope), ex);
                    }
                    rejected++;
                    codes.merge(ex.code(), 1, Integer::sum);
                }
                else
                {
                    committed++;
                }
                if (step % 100 == 0)
                {
                    final long head = db.headState().visibleHeadSeq();
                    assertEquals(head + 1, db.commit(TestSupport.kvSet("alive" + step, "yes")).commitSeq(), where);
                }
            }
            headBefore = db.headState();
            before = dump(db);
        }
        System.out.println("MalformedEnvelopePropertyTest committed=" + committed + " rejected=" + rejected + " " + codes);
        assertTrue(rejected > steps / 4 && committed > steps / 50, "the generator should produce both: committed=" + committed
            + " rejected=" + rejected);
        assertTrue(codes.size() >= 15, "the generator should reach many kinds of rejection: " + codes);
        try (AedbInstance db = AedbInstance.open(config(), dir))
        {
            assertEquals(headBefore.visibleHeadSeq(), db.headState().visibleHeadSeq(), "seed=" + seed);
            assertEquals(before, dump(db), "seed=" + seed + ": replay gives the live state");
            assertEquals(headBefore.visibleHeadSeq() + 1, db.commit(TestSupport.kvSet("after", "reopen")).commitSeq());
        }
    }

    private static String brief(final TransactionEnvelope envelope)
    {
        final String s = String.valueOf(envelope);
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }

    private static Object submit(final AedbInstance db, final TransactionEnvelope envelope, final boolean async) throws Exception
    {
        if (!async)
        {
            return db.commit(envelope);
        }
        final CompletableFuture<CommitResult> f = db.commitAsync(envelope);
        try
        {
            return f.get(10, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof AedbException a)
            {
                return a;
            }
            throw ex;
        }
    }

    /** Every KV entry and row of every table, as comparable strings. */
    private static Map<String, Object> dump(final AedbInstance db)
    {
        final Map<String, Object> out = new HashMap<>();
        for (final KvEntry e : db.kvScanRange("p", "app", null, null, Integer.MAX_VALUE, null, null).entries())
        {
            out.put("kv:" + Arrays.toString(e.key()), Arrays.toString(e.value()) + "@" + e.version());
        }
        try (Snapshot s = db.snapshot(null))
        {
            for (final String table : db.catalogAt(s.seq()).scope("p", "app").tables().keySet())
            {
                out.put("table:" + table, s.scanTable("p", "app", table, Integer.MAX_VALUE, null).rows().toString());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generators

    private boolean chance(final int percent)
    {
        return random.nextInt(100) < percent;
    }

    private <T> T pick(final T[] options)
    {
        return options[random.nextInt(options.length)];
    }

    private TransactionEnvelope envelope()
    {
        final int n = chance(5) ? 17 + random.nextInt(5) : chance(5) ? 0 : 1 + random.nextInt(4);
        final List<Mutation> mutations = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            mutations.add(chance(2) ? null : mutation());
        }
        final List<Assertion> assertions = new ArrayList<>();
        if (chance(20))
        {
            assertions.add(chance(5) ? null : assertion());
        }
        final CallerContext caller = chance(20) ? CallerContext.of(chance(5) ? "bad\uD800" : "caller" + random.nextInt(3)) : null;
        final byte[] idempotencyKey = chance(10) ? bytes(chance(20) ? 0 : chance(20) ? 65 : 1 + random.nextInt(8)) : null;
        if (chance(3))
        {
            return new TransactionEnvelope(caller, idempotencyKey, chance(50) ? null : assertions, null);
        }
        return new TransactionEnvelope(caller, idempotencyKey, assertions, mutations);
    }

    private Mutation mutation()
    {
        switch (random.nextInt(11))
        {
            case 0:
                return new Mutation.Ddl(chance(5) ? null : ddl());
            case 1:
            {
                final String table = table();
                final List<Value> key = key(table);
                return new Mutation.Insert(project(), scope(), table, key, row(table, key));
            }
            case 2:
            {
                final String table = table();
                final List<Value> key = key(table);
                return new Mutation.Upsert(project(), scope(), table, key, row(table, key));
            }
            case 3:
                return new Mutation.Delete(project(), scope(), table(), key(pick(TABLES)));
            case 4:
                return new Mutation.UpdateFields(project(), scope(), table(), key(pick(TABLES)), fields());
            case 5:
                return new Mutation.KvSet(project(), scope(), kvKey(), chance(5) ? null : bytes(chance(5) ? 5000 : random.nextInt(64)));
            case 6:
                return new Mutation.KvDel(project(), scope(), kvKey());
            case 7:
                return new Mutation.KvIncU256(project(), scope(), kvKey(), amount());
            case 8:
                return new Mutation.KvDecU256(project(), scope(), kvKey(), amount());
            default:
            {
                // a large but otherwise valid write: over maxValueBytes or, a few together, over maxEnvelopeBytes
                final String name = "big" + random.nextInt(5);
                return new Mutation.Upsert("p", "app", "docs", List.of(Value.text(name)), Row.of(Value.text(name),
                    Value.blob(bytes(chance(50) ? 3000 : 30_000)), Value.NULL, Value.NULL, Value.NULL, Value.NULL));
            }
        }
    }

    private Assertion assertion()
    {
        return switch (random.nextInt(4))
        {
            case 0 -> new Assertion.KeyVersion(project(), scope(), kvKey(), random.nextInt(3));
            case 1 -> new Assertion.KeyExists(project(), scope(), kvKey(), random.nextBoolean());
            case 2 -> new Assertion.RowVersion(project(), scope(), table(), key(pick(TABLES)), random.nextInt(3));
            default -> new Assertion.RowExists(project(), scope(), table(), key(pick(TABLES)), random.nextBoolean());
        };
    }

    private DdlOperation ddl()
    {
        switch (random.nextInt(6))
        {
            case 0:
                return new DdlOperation.CreateProject(identifier("q" + random.nextInt(3)), chance(10) ? "owner\uDC00" : null, true);
            case 1:
                return new DdlOperation.DropProject(identifier("q" + random.nextInt(3)), random.nextBoolean());
            case 2:
                return new DdlOperation.CreateScope(project(), identifier("s" + random.nextInt(3)), null, random.nextBoolean());
            case 3:
            {
                final List<ColumnDef> columns = new ArrayList<>();
                final int n = chance(5) ? 0 : 1 + random.nextInt(4);
                for (int i = 0; i < n; i++)
                {
                    columns.add(chance(5) ? null : new ColumnDef(chance(5) ? null : identifier("c" + random.nextInt(4)),
                        chance(5) ? null : pick(TYPES), random.nextBoolean()));
                }
                final List<String> pk = new ArrayList<>();
                pk.add(chance(5) ? null : identifier("c" + random.nextInt(4)));
                return new DdlOperation.CreateTable(project(), scope(), identifier("t" + tableCounter++), null,
                    chance(5) ? null : columns, chance(5) ? null : pk, random.nextBoolean());
            }
            case 4:
                return new DdlOperation.DropTable(project(), scope(), identifier("t" + random.nextInt(Math.max(1, tableCounter))),
                    random.nextBoolean());
            default:
                return new DdlOperation.AlterTableAddColumn(project(), scope(), table(), chance(5) ? null
                    : new ColumnDef(identifier("x" + random.nextInt(3)), chance(5) ? null : pick(TYPES), chance(80)));
        }
    }

    private String identifier(final String valid)
    {
        if (chance(85))
        {
            return valid;
        }
        return pick(new String[]{null, "", "bad name", "a.b", "x".repeat(129), "_reserved", "\uD800"});
    }

    private String project()
    {
        return chance(85) ? "p" : identifier("nope");
    }

    private String scope()
    {
        return chance(85) ? "app" : identifier("nope");
    }

    private String table()
    {
        return chance(85) ? pick(TABLES) : identifier("nope");
    }

    private byte[] bytes(final int n)
    {
        final byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] kvKey()
    {
        if (chance(10))
        {
            return pick(new byte[][]{null, new byte[0], bytes(65), bytes(1000)});
        }
        return ("k" + random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] amount()
    {
        if (chance(10))
        {
            return pick(new byte[][]{null, new byte[31], new byte[33]});
        }
        final byte[] a = new byte[32];
        a[31] = (byte)random.nextInt(4);
        if (chance(3))
        {
            Arrays.fill(a, (byte)0xFF);
        }
        return a;
    }

    /** A primary key for {@code table}: usually right, sometimes null, with null elements, the wrong arity or types. */
    private List<Value> key(final String table)
    {
        if (chance(5))
        {
            return null;
        }
        final List<Value> key = new ArrayList<>();
        key.add(chance(80) ? keyValue(table) : chance(30) ? null : value());
        if (chance(5))
        {
            key.add(value());
        }
        if (chance(3))
        {
            key.clear();
        }
        return key;
    }

    private Value keyValue(final String table)
    {
        return "users".equals(table) ? Value.integer(random.nextInt(20)) : Value.text("n" + random.nextInt(20));
    }

    /** A row for {@code table} matching {@code key}: usually right, sometimes of the wrong arity, types or key. */
    private Row row(final String table, final List<Value> key)
    {
        if (chance(5))
        {
            return null;
        }
        // A row that fits even when the key does not (a null element, the wrong type): the key check must catch it.
        final Value k = key != null && !key.isEmpty() && key.get(0) != null && chance(90) ? key.get(0)
            : chance(70) ? keyValue(table) : value();
        final List<Value> values = new ArrayList<>();
        values.add(k);
        if ("users".equals(table))
        {
            values.add(chance(80) ? Value.text("name" + random.nextInt(9)) : value());
            values.add(chance(80) ? (chance(50) ? Value.NULL : Value.integer(random.nextInt(99))) : value());
        }
        else
        {
            values.add(chance(70) ? Value.blob(bytes(chance(5) ? 5000 : random.nextInt(32))) : value());
            values.add(chance(70) ? Value.float64(random.nextDouble()) : value());
            values.add(chance(70) ? Value.json(pick(new String[]{"{}", "[1,2]", "{\"a\":", "", "1 2"})) : value());
            values.add(chance(70) ? Value.u256(BigInteger.valueOf(random.nextInt(1000))) : value());
            values.add(chance(70) ? Value.bool(random.nextBoolean()) : value());
        }
        if (chance(5))
        {
            values.add(value());
        }
        if (chance(5))
        {
            values.remove(values.size() - 1);
        }
        return Row.fromValues(values);
    }

    private Map<String, Value> fields()
    {
        if (chance(5))
        {
            return null;
        }
        final Map<String, Value> fields = new HashMap<>();
        final int n = chance(10) ? 0 : 1 + random.nextInt(3);
        for (int i = 0; i < n; i++)
        {
            final String column = chance(5) ? null : pick(new String[]{"name", "age", "id", "body", "f", "j", "nope"});
            fields.put(column, chance(5) ? null : value());
        }
        return fields;
    }

    /** Any value: every type, NULL, a Java null, non-finite floats, bad JSON, big text and blobs. */
    private Value value()
    {
        if (chance(3))
        {
            return refusedValue();
        }
        switch (random.nextInt(11))
        {
            case 0:
                return null;
            case 1:
                return Value.NULL;
            case 2:
                return Value.integer(random.nextLong());
            case 3:
                return Value.float64(pick(new Double[]{Double.NaN, Double.POSITIVE_INFINITY, -0.0, random.nextDouble()}));
            case 4:
                return Value.text(chance(20) ? "x".repeat(5000) : "t" + random.nextInt(9));
            case 5:
                return Value.bool(random.nextBoolean());
            case 6:
                return Value.blob(bytes(chance(10) ? 5000 : random.nextInt(16)));
            case 7:
                return Value.timestamp(random.nextLong());
            case 8:
                return Value.u64(random.nextLong());
            case 9:
                return Value.u256(BigInteger.valueOf(random.nextInt(Integer.MAX_VALUE)));
            default:
                return Value.json(pick(new String[]{"{}", "{\"a\":", "null", "[", "\"s\""}));
        }
    }

    /** Values that Value itself refuses to build (so the whole envelope is refused while being built). */
    private Value refusedValue()
    {
        switch (random.nextInt(3))
        {
            case 0:
                return Value.text("a\uD800");
            case 1:
                return Value.u256(BigInteger.ONE.shiftLeft(256));
            default:
                return new Value.U256(bytes(31));
        }
    }
}
