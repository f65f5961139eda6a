package dev.aedb.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The share of each {@link BenchOp} in percent, e.g. {@code commit=20,get=70,scan=10}; an op left out is 0. The
 * shares sum to 100.
 */
final class BenchMix
{
    private final int[] percent = new int[BenchOp.ALL.length];

    private BenchMix()
    {
    }

    /**
     * @throws IllegalArgumentException when the text is not {@code op=percent[,op=percent...]} over known ops, an op
     *                                  repeats, a share is outside 0..100 or the shares do not sum to 100.
     */
    static BenchMix parse(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("empty mix; expected e.g. commit=20,get=70,scan=10");
        }
        final Map<BenchOp, Integer> seen = new EnumMap<>(BenchOp.class);
        for (final String part : text.split(","))
        {
            final int eq = part.indexOf('=');
            if (eq < 0)
            {
                throw new IllegalArgumentException("'" + part.trim() + "' is not op=percent; expected e.g. commit=20,get=70,scan=10");
            }
            final String name = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            BenchOp op = null;
            for (final BenchOp o : BenchOp.ALL)
            {
                if (o.label.equals(name))
                {
                    op = o;
                }
            }
            if (op == null)
            {
                throw new IllegalArgumentException("unknown op '" + name + "'; the ops are commit, get and scan");
            }
            final int share;
            try
            {
                share = Integer.parseInt(part.substring(eq + 1).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("share of " + name + " is not a whole number: '" + part.substring(eq + 1).trim() + "'");
            }
            if (share < 0 || share > 100)
            {
                throw new IllegalArgumentException("share of " + name + " must be in 0..100, was " + share);
            }
            if (seen.put(op, share) != null)
            {
                throw new IllegalArgumentException(name + " is given twice");
            }
        }
        final BenchMix mix = new BenchMix();
        int sum = 0;
        for (final Map.Entry<BenchOp, Integer> e : seen.entrySet())
        {
            mix.percent[e.getKey().ordinal()] = e.getValue();
            sum += e.getValue();
        }
        if (sum != 100)
        {
            throw new IllegalArgumentException("shares must sum to 100, " + mix + " sums to " + sum);
        }
        return mix;
    }

    int percent(final BenchOp op)
    {
        return percent[op.ordinal()];
    }

    /** @return whether the mix has any {@code op}. */
    boolean has(final BenchOp op)
    {
        return percent[op.ordinal()] > 0;
    }

    /** @return the op for a uniform draw {@code r} in 0..99. */
    BenchOp pick(final int r)
    {
        int bound = 0;
        for (final BenchOp op : BenchOp.ALL)
        {
            bound += percent[op.ordinal()];
            if (r < bound)
            {
                return op;
            }
        }
        throw new IllegalStateException("draw " + r + " outside the mix " + this);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final BenchOp op : BenchOp.ALL)
        {
            if (percent[op.ordinal()] > 0)
            {
                sb.append(sb.length() == 0 ? "" : ",").append(op.label).append('=').append(percent[op.ordinal()]);
            }
        }
        return sb.toString();
    }

    /** picocli converter: a bad mix is a usage error naming the problem. */
    static final class Converter implements ITypeConverter<BenchMix>
    {
        @Override
        public BenchMix convert(final String value)
        {
            try
            {
                return parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }
}
