package dev.aedb;

import dev.aedb.codec.KeyCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.Aggregate;
import dev.aedb.model.Assertion;
import dev.aedb.model.CallerContext;
import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.CommitResult;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.DdlOperation;
import dev.aedb.model.Durability;
import dev.aedb.model.ErrorCode;
import dev.aedb.model.Expr;
import dev.aedb.model.Mutation;
import dev.aedb.model.PreflightPlan;
import dev.aedb.model.Query;
import dev.aedb.model.QueryOptions;
import dev.aedb.model.Row;
import dev.aedb.model.TransactionEnvelope;
import dev.aedb.model.Value;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.aedb.TestSupport.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sweeps the public API with bad arguments, discovering the methods by reflection so that a new public method is
 * covered without editing this test (it fails with "no valid value for ..." until it knows the new parameter).
 * <ul>
 *   <li>Every public method of {@link AedbInstance}, {@link Snapshot}, {@link KvHandle} and {@link TableHandle} is
 *   called once per reference parameter with that parameter null (the others valid), and once per int parameter with
 *   each of negative, past-the-end and extreme values.</li>
 *   <li>Every public constructor and static factory of the model types (and the builder methods of {@link Query}) is
 *   called with each reference parameter null; if the object can be built, it is then used (committed, queried).</li>
 * </ul>
 * A null must end in {@link AedbException} INVALID_ARGUMENT whose message names the parameter ({@code name=null}),
 * unless {@link #NULL_ALLOWED} lists the parameter with the meaning of null; a bad int must end in INVALID_ARGUMENT
 * (or succeed, where the value is valid). Never a NullPointerException, IndexOutOfBoundsException or any other
 * untyped exception; and after every call the instance still commits and reads.
 */
class FacadeArgumentSweepTest
{
    /** Parameters where null means something (class.method(parameter) -> what null means). */
    private static final Map<String, String> NULL_ALLOWED = Map.ofEntries(
        Map.entry("AedbInstance.commitAs(caller)", "anonymous"),
        Map.entry("AedbInstance.snapshot(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.snapshotAs(caller)", "anonymous"),
        Map.entry("AedbInstance.snapshotAs(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.get(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.kvGet(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.kvScanPrefix(cursor)", "first page"),
        Map.entry("AedbInstance.kvScanPrefix(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.kvScanRange(start)", "unbounded"),
        Map.entry("AedbInstance.kvScanRange(end)", "unbounded"),
        Map.entry("AedbInstance.kvScanRange(cursor)", "first page"),
        Map.entry("AedbInstance.kvScanRange(mode)", "AT_LATEST"),
        Map.entry("AedbInstance.scanTable(cursor)", "first page"),
        Map.entry("AedbInstance.scanTable(mode)", "AT_LATEST"),
        Map.entry("Snapshot.kvScanPrefix(cursor)", "first page"),
        Map.entry("Snapshot.kvScanRange(start)", "unbounded"),
        Map.entry("Snapshot.kvScanRange(end)", "unbounded"),
        Map.entry("Snapshot.kvScanRange(cursor)", "first page"),
        Map.entry("Snapshot.scanTable(cursor)", "first page"),
        Map.entry("KvHandle.scan(start)", "from the first key"),
        Map.entry("TableHandle.scan(start)", "from the first row"),
        Map.entry("Query.Query(table)", "no table until from(); running it is INVALID_QUERY"),
        Map.entry("Query.Query(where)", "no predicate"),
        Map.entry("Query.where_(predicate)", "no predicate"),
        Map.entry("Query.Query(having)", "no group filter"),
        Map.entry("Query.having(predicate)", "no group filter"),
        Map.entry("Query.Query(alias)", "the table's name"),
        Map.entry("TransactionEnvelope.TransactionEnvelope(caller)", "anonymous"),
        Map.entry("TransactionEnvelope.TransactionEnvelope(idempotencyKey)", "no idempotency key"),
        Map.entry("TransactionEnvelope.TransactionEnvelope(assertions)", "no assertions"),
        Map.entry("TransactionEnvelope.TransactionEnvelope(mutations)", "no mutations: EMPTY_ENVELOPE at commit"),
        Map.entry("CreateProject.CreateProject(ownerId)", "no owner"),
        Map.entry("CreateScope.CreateScope(ownerId)", "no owner"),
        Map.entry("CreateTable.CreateTable(ownerId)", "no owner"));

    /** Int parameters and the values that must be refused with INVALID_ARGUMENT. */
    private static final Map<String, int[]> BAD_INTS = Map.of(
        "limit", new int[]{0, -1, Integer.MIN_VALUE},
        "offset", new int[]{-1, Integer.MIN_VALUE, 2, Integer.MAX_VALUE},
        "length", new int[]{-1, Integer.MIN_VALUE, 2, Integer.MAX_VALUE},
        "dstOffset", new int[]{-1, Integer.MIN_VALUE, 65, Integer.MAX_VALUE});

    /** Int values that are extreme but valid: they must succeed. */
    private static final Map<String, int[]> EDGE_INTS = Map.of("limit", new int[]{1, Integer.MAX_VALUE});

    private static final List<Class<?>> FACADE = List.of(AedbInstance.class, Snapshot.class, KvHandle.class, TableHandle.class);
    private static final List<Class<?>> MODEL = List.of(Query.class, Expr.class, Value.class, Row.class, Mutation.class,
        TransactionEnvelope.class, DdlOperation.class, ColumnDef.class, Assertion.class, CallerContext.class, Aggregate.class);

    @TempDir
    Path dir;
    AedbInstance db;
    int probes;
    int calls;

    @BeforeEach
    void open()
    {
        db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED), dir.resolve("db"));
        TestSupport.usersTable(db);
        db.commit(TestSupport.user(1, "alice"));
        db.commit(TestSupport.kvSet("k", "v"));
    }

    @AfterEach
    void close()
    {
        db.close();
    }

    @Test
    void shouldAnswerEveryBadFacadeArgumentWithATypedErrorWhenCalledWithNullsAndBadLengths() throws Exception
    {
        final List<String> problems = new ArrayList<>();
        for (final Class<?> type : FACADE)
        {
            for (final Method m : sorted(type.getDeclaredMethods()))
            {
                if (!Modifier.isPublic(m.getModifiers()) || m.getParameterCount() == 0 || m.isSynthetic())
                {
                    continue;
                }
                final Parameter[] params = m.getParameters();
                for (int i = 0; i < params.length; i++)
                {
                    final String key = type.getSimpleName() + "." + m.getName() + "(" + name(params[i]) + ")";
                    if (!params[i].getType().isPrimitive())
                    {
                        final Object[] args = validArgs(m);
                        args[i] = null;
                        check(problems, key + " = null", () -> invokeFacade(m, args), NULL_ALLOWED.containsKey(key) ? null
                            : name(params[i]));
                    }
                    else if (params[i].getType() == int.class)
                    {
                        final String p = name(params[i]);
                        for (final int bad : BAD_INTS.getOrDefault(p, new int[0]))
                        {
                            final Object[] args = validArgs(m);
                            args[i] = bad;
                            check(problems, key + " = " + bad, () -> invokeFacade(m, args), "");
                        }
                        for (final int edge : EDGE_INTS.getOrDefault(p, new int[0]))
                        {
                            final Object[] args = validArgs(m);
                            args[i] = edge;
                            check(problems, key + " = " + edge, () -> invokeFacade(m, args), null);
                        }
                        if (!BAD_INTS.containsKey(p))
                        {
                            problems.add(key + ": an int parameter the sweep has no bad values for");
                        }
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "after " + calls + " calls:\n" + String.join("\n", problems));
        assertTrue(calls > 80, "the sweep found too few calls: " + calls);
    }

    @Test
    void shouldRejectNullsInTheModelTypesWhenBuiltOrUsed() throws Exception
    {
        final List<String> problems = new ArrayList<>();
        final List<Class<?>> types = new ArrayList<>();
        for (final Class<?> type : MODEL)
        {
            types.add(type);
            for (final Class<?> nested : type.getDeclaredClasses())
            {
                if (Modifier.isPublic(nested.getModifiers()) && !nested.isInterface() && !nested.isEnum()) // Enum.valueOf is the JDK's
                {
                    types.add(nested);
                }
            }
        }
        for (final Class<?> type : types)
        {
            final List<Executable> makers = new ArrayList<>(Arrays.asList(type.getConstructors()));
            for (final Method m : sorted(type.getDeclaredMethods()))
            {
                final boolean isStatic = Modifier.isStatic(m.getModifiers());
                if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.getName().equals("equals")
                    && (isStatic || type == Query.class))
                {
                    makers.add(m);
                }
            }
            for (final Executable maker : makers)
            {
                final Parameter[] params = maker.getParameters();
                for (int i = 0; i < params.length; i++)
                {
                    if (params[i].getType().isPrimitive())
                    {
                        continue;
                    }
                    final String makerName = maker instanceof Constructor ? type.getSimpleName() : maker.getName();
                    final String key = type.getSimpleName() + "." + makerName + "(" + name(params[i]) + ")";
                    final Object[] args = new Object[params.length];
                    for (int j = 0; j < params.length; j++)
                    {
                        args[j] = validModelValue(params[j], type);
                    }
                    args[i] = null;
                    check(problems, key + " = null", () -> use(build(maker, args)), NULL_ALLOWED.containsKey(key) ? null
                        : name(params[i]));
                }
            }
        }
        assertTrue(problems.isEmpty(), "after " + calls + " calls:\n" + String.join("\n", problems));
        assertTrue(calls > 60, "the sweep found too few calls: " + calls);
    }

    @FunctionalInterface
    private interface Call
    {
        Object run() throws Throwable;
    }

    /**
     * Runs one call. {@code nulledParameter}: null = must not fail with "p=null" for its parameter (success or another
     * typed error is fine); "" = must fail with INVALID_ARGUMENT; a name = must fail with INVALID_ARGUMENT naming it.
     */
    private void check(final List<String> problems, final String what, final Call call, final String nulledParameter)
    {
        calls++;
        try
        {
            final Object result = call.run();
            closeIfNeeded(result);
            if (nulledParameter != null)
            {
                problems.add(what + ": succeeded, expected INVALID_ARGUMENT");
            }
        }
        catch (final AedbException ex)
        {
            if (nulledParameter == null && ex.code() == ErrorCode.INVALID_ARGUMENT && ex.getMessage().contains("=null"))
            {
                problems.add(what + ": null is documented as allowed, got " + ex.getMessage());
            }
            else if (nulledParameter != null && ex.code() != ErrorCode.INVALID_ARGUMENT)
            {
                problems.add(what + ": expected INVALID_ARGUMENT, got " + ex.getMessage());
            }
            else if (nulledParameter != null && !nulledParameter.isEmpty() && !ex.getMessage().contains(nulledParameter + "=null"))
            {
                problems.add(what + ": message does not name the parameter: " + ex.getMessage());
            }
        }
        catch (final Throwable t)
        {
            problems.add(what + ": untyped " + t);
        }
        stillWorks(what);
    }

    private void stillWorks(final String after)
    {
        final String key = "probe" + probes++;
        try
        {
            final CommitResult r = db.commit(TestSupport.kvSet(key, "ok"));
            assertEquals(r.commitSeq(), db.kvGet("p", "app", b(key)).version());
            assertEquals("alice", ((Value.Text)db.get("p", "app", "users", List.of(Value.integer(1))).row().get(1)).value());
        }
        catch (final RuntimeException | AssertionError ex)
        {
            fail("the instance stopped working after " + after, ex);
        }
    }

    private static void closeIfNeeded(final Object result) throws Exception
    {
        if (result instanceof AutoCloseable c)
        {
            c.close();
        }
    }

    private static List<Method> sorted(final Method[] methods)
    {
        final List<Method> out = new ArrayList<>(Arrays.asList(methods));
        out.sort(Comparator.comparing(Method::toString));
        return out;
    }

    private static String name(final Parameter p)
    {
        assertTrue(p.isNamePresent(), "compile with -parameters (pom.xml maven-compiler-plugin <parameters>)");
        return p.getName();
    }

    private static Object unwrap(final Call call) throws Throwable
    {
        try
        {
            return call.run();
        }
        catch (final InvocationTargetException ex)
        {
            throw ex.getCause();
        }
    }

    // ------------------------------------------------------------------ facade

    private Object invokeFacade(final Method m, final Object[] args) throws Throwable
    {
        final Object target;
        final Class<?> type = m.getDeclaringClass();
        if (Modifier.isStatic(m.getModifiers()))
        {
            target = null;
        }
        else if (type == AedbInstance.class)
        {
            target = db;
        }
        else if (type == Snapshot.class)
        {
            target = db.snapshot(ConsistencyMode.AT_LATEST);
        }
        else if (type == KvHandle.class)
        {
            target = db.kvHandle("p", "app");
        }
        else
        {
            target = db.tableHandle("p", "app", "users");
        }
        try
        {
            return unwrap(() -> m.invoke(target, args));
        }
        finally
        {
            if (target instanceof Snapshot s)
            {
                s.close();
            }
        }
    }

    /** Valid arguments for a facade method: the sweep then spoils one of them. */
    private Object[] validArgs(final Method m)
    {
        final Parameter[] params = m.getParameters();
        final Object[] args = new Object[params.length];
        final boolean tableKey = m.getDeclaringClass() == TableHandle.class;
        for (int i = 0; i < params.length; i++)
        {
            args[i] = validFacadeValue(m, params[i], tableKey);
        }
        return args;
    }

    private Object validFacadeValue(final Method m, final Parameter p, final boolean tableKey)
    {
        final String n = name(p);
        final Class<?> t = p.getType();
        switch (n)
        {
            case "projectId":
                return "p";
            case "scopeId":
                return "app";
            case "table":
                return "users";
            case "columns":
                return List.of(ColumnDef.of("id", ColumnType.INTEGER));
            case "primaryKey":
                return m.getName().equals("createTable") ? List.of("id") : List.of(Value.integer(1));
            case "limit":
                return 10;
            case "offset":
            case "dstOffset":
                return 0;
            case "length":
                return 1;
            case "mode":
                return ConsistencyMode.AT_LATEST;
            case "cursor":
                return null;
            case "query":
                return Query.select().from("users").limit(10);
            case "options":
                return QueryOptions.defaults();
            case "envelope":
                return TransactionEnvelope.of(TestSupport.kvSet("swept", "1"));
            case "mutation":
                return TestSupport.kvSet("swept", "1");
            case "mutations":
                return List.of(TestSupport.kvSet("swept", "1"));
            case "plan":
                return new PreflightPlan(0, List.of(), List.of(TestSupport.kvSet("swept", "1")));
            case "where":
                return Expr.eq("name", Value.text("no row has this name")); // valid, and changes nothing the sweep reads
            case "fields":
                return Map.of("name", Value.text("z"));
            case "expectedSeq":
                return 0L;
            case "row":
                return Row.of(Value.integer(1), Value.text("x"), Value.NULL);
            case "caller":
                return CallerContext.of("sweeper");
            case "config":
                return TestSupport.smallConfig();
            case "directory":
                return dir.resolve("never-opened");
            case "dst":
                return new UnsafeBuffer(new byte[64]);
            case "visitor":
                return t == KvVisitor.class ? (KvVisitor)(kb, ko, kl, vb, vo, vl, v) -> true : (RowVisitor)(rb, ro, rl, v) -> true;
            default:
                break;
        }
        if (t == byte[].class)
        {
            return b("k"); // key, prefix, start, end
        }
        if (t == DirectBuffer.class || t == MutableDirectBuffer.class)
        {
            // One-byte keys, so that length=1 is the whole buffer and 2 is past its end.
            return tableKey ? new UnsafeBuffer(KeyCodec.encode(List.of(Value.integer(1))), 0, 1) : new UnsafeBuffer(b("k"));
        }
        throw new AssertionError("no valid value for " + m + " parameter " + n + ": teach the sweep about it");
    }

    // ------------------------------------------------------------------ model types

    private static Object build(final Executable maker, final Object[] args) throws Throwable
    {
        if (maker instanceof Constructor<?> c)
        {
            return unwrap(() -> c.newInstance(args));
        }
        final Method m = (Method)maker;
        final Object target = Modifier.isStatic(m.getModifiers()) ? null : Query.select().from("users").limit(10);
        return unwrap(() -> m.invoke(target, args));
    }

    /** Uses a built model object the way a caller would, so that a null it accepted meets validation. */
    private Object use(final Object built)
    {
        if (built instanceof Mutation m)
        {
            return db.commit(TransactionEnvelope.of(m));
        }
        if (built instanceof DdlOperation op)
        {
            return db.commit(new Mutation.Ddl(op));
        }
        if (built instanceof ColumnDef c)
        {
            return db.createTable("p", "app", "swept" + calls, List.of(ColumnDef.of("id", ColumnType.INTEGER), c), List.of("id"));
        }
        if (built instanceof Assertion a)
        {
            return db.commit(new TransactionEnvelope(null, null, List.of(a), List.of(TestSupport.kvSet("swept", "1"))));
        }
        if (built instanceof TransactionEnvelope e)
        {
            return db.commit(e);
        }
        if (built instanceof Expr e)
        {
            return db.query("p", "app", Query.select().from("users").where_(e).limit(10));
        }
        if (built instanceof Query q)
        {
            return db.query("p", "app", q);
        }
        if (built instanceof CallerContext c)
        {
            return db.commitAs(c, TestSupport.kvSet("swept", "1"));
        }
        return built; // Value, Row: nothing to use them for; building with a null must already have failed
    }

    private static final Set<String> KEY_NAMES = Set.of("key", "idempotencyKey");

    private static Object validModelValue(final Parameter p, final Class<?> owner)
    {
        final String n = name(p);
        final Class<?> t = p.getType();
        if (t == String.class)
        {
            return switch (n)
            {
                case "projectId" -> "p";
                case "scopeId" -> "app";
                case "tableName", "table" -> "users";
                case "ownerId" -> "owner";
                case "callerId" -> "c";
                case "column" -> "age";
                case "name" -> "extra";
                case "indexName" -> "by_age";
                case "pattern" -> "a%";
                case "alias" -> "u";
                case "leftColumn" -> "u.id";
                case "rightColumn" -> "o.user_id";
                case "value" -> owner == Value.Json.class ? "{}" : "x";
                default -> throw new AssertionError("no valid String for " + owner.getSimpleName() + "." + n);
            };
        }
        if (t == byte[].class)
        {
            return KEY_NAMES.contains(n) ? b("k") : n.equals("amount") || n.equals("bigEndian") ? new byte[32] : b("v");
        }
        if (t == List.class)
        {
            final Type element = ((ParameterizedType)p.getParameterizedType()).getActualTypeArguments()[0];
            if (element == Value.class)
            {
                return List.of(Value.integer(7));
            }
            if (element == ColumnDef.class)
            {
                return List.of(ColumnDef.of("id", ColumnType.INTEGER));
            }
            if (element == String.class)
            {
                return List.of("id");
            }
            if (element == Expr.class)
            {
                return List.of(Expr.isNull("age"));
            }
            if (element == Aggregate.class)
            {
                return List.of(new Aggregate.Count());
            }
            if (element == Query.Join.class)
            {
                return List.of();
            }
            if (element == Query.SortKey.class)
            {
                return List.of(new Query.SortKey("age", Query.Order.ASC));
            }
            if (element == Mutation.class)
            {
                return List.of(TestSupport.kvSet("swept", "1"));
            }
            if (element == Assertion.class)
            {
                return List.of();
            }
        }
        if (t == Map.class)
        {
            return Map.of("name", Value.text("z"));
        }
        if (t == Value.class)
        {
            return Value.integer(1);
        }
        if (t == Value[].class)
        {
            return new Value[]{Value.integer(1)};
        }
        if (t == Row.class)
        {
            return Row.of(Value.integer(7), Value.text("x"), Value.NULL);
        }
        if (t == DdlOperation.class)
        {
            return new DdlOperation.CreateScope("p", "swept", null, true);
        }
        if (t == ColumnDef.class)
        {
            return ColumnDef.nullable("extra", ColumnType.TEXT);
        }
        if (t == ColumnType.class)
        {
            return ColumnType.INTEGER;
        }
        if (t == Aggregate.class)
        {
            return new Aggregate.Count();
        }
        if (t == Query.JoinType.class)
        {
            return Query.JoinType.INNER;
        }
        if (t == Query.Order.class)
        {
            return Query.Order.ASC;
        }
        if (t == CallerContext.class)
        {
            return CallerContext.of("c");
        }
        if (t == Expr.class)
        {
            return Expr.isNull("age");
        }
        if (t == Expr[].class)
        {
            return new Expr[]{Expr.isNull("age")};
        }
        if (t == String[].class)
        {
            return new String[]{"id"};
        }
        if (t == Mutation[].class)
        {
            return new Mutation[]{TestSupport.kvSet("swept", "1")};
        }
        if (t == BigInteger.class)
        {
            return BigInteger.ONE;
        }
        if (t == long.class)
        {
            return 10L;
        }
        if (t == boolean.class)
        {
            return false;
        }
        if (t == double.class)
        {
            return 1.0;
        }
        if (t == int.class)
        {
            return 1;
        }
        throw new AssertionError("no valid value for " + owner.getSimpleName() + " parameter " + n + " of " + t
            + ": teach the sweep about it");
    }
}
