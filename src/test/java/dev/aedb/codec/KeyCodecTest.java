package dev.aedb.codec;

import dev.aedb.model.Value;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The key encoding sorts exactly like {@link Value#compare}, for every key type and for composite keys. */
class KeyCodecTest
{
    private static final long SEED = Long.getLong("aedb.key.seed", System.nanoTime());

    private static void checkOrder(final String type, final Function<Random, Value> gen)
    {
        final Random random = new Random(SEED);
        final List<List<Value>> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++)
        {
            keys.add(List.of(gen.apply(random), gen.apply(random)));
        }
        final Comparator<List<Value>> byValue = (a, b) ->
        {
            final int c = Value.compare(a.get(0), b.get(0));
            return c != 0 ? c : Value.compare(a.get(1), b.get(1));
        };
        for (int i = 0; i + 1 < keys.size(); i++)
        {
            final List<Value> a = keys.get(i);
            final List<Value> b = keys.get(i + 1);
            assertEquals(Integer.signum(byValue.compare(a, b)), Integer.signum(Arrays.compareUnsigned(KeyCodec.encode(a), KeyCodec.encode(b))),
                () -> "seed=" + SEED + " " + type + ": " + a + " vs " + b);
        }
    }

    @Test
    void shouldPreserveOrderForEveryKeyType()
    {
        System.out.println("KeyCodecTest seed=" + SEED);
        checkOrder("integer", r -> Value.integer(r.nextBoolean() ? r.nextLong() : r.nextInt(5) - 2));
        checkOrder("timestamp", r -> Value.timestamp(r.nextLong()));
        checkOrder("u64", r -> Value.u64(r.nextBoolean() ? r.nextLong() : r.nextInt(3)));
        checkOrder("float", r -> Value.float64(switch (r.nextInt(5))
        {
            case 0 -> -0.0;
            case 1 -> 0.0;
            case 2 -> r.nextDouble() * 1e300 * (r.nextBoolean() ? 1 : -1);
            case 3 -> Double.MIN_VALUE * (r.nextBoolean() ? 1 : -1);
            default -> r.nextGaussian();
        }));
        checkOrder("boolean", r -> Value.bool(r.nextBoolean()));
        checkOrder("text", r -> Value.text(randomString(r)));
        checkOrder("blob", r ->
        {
            final byte[] b = new byte[r.nextInt(6)];
            for (int i = 0; i < b.length; i++)
            {
                b[i] = (byte)(r.nextInt(4) - 1); // 0x00, 0x01, 0x02 and 0xFF: escapes and terminators
            }
            return Value.blob(b);
        });
        checkOrder("u256", r -> Value.u256(new BigInteger(r.nextInt(257), r)));
    }

    private static String randomString(final Random r)
    {
        final StringBuilder sb = new StringBuilder();
        final int n = r.nextInt(5);
        for (int i = 0; i < n; i++)
        {
            sb.append(switch (r.nextInt(4))
            {
                case 0 -> '\0';
                case 1 -> 'a';
                case 2 -> 'b';
                default -> '\u00e9';
            });
        }
        return sb.toString();
    }
}
