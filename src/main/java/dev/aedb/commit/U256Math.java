package dev.aedb.commit;

/**
 * Checked arithmetic on 32-byte big-endian unsigned integers.
 */
final class U256Math
{
    private U256Math()
    {
    }

    /** @return a + b, or null on overflow. */
    static byte[] add(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[32];
        int carry = 0;
        for (int i = 31; i >= 0; i--)
        {
            final int sum = (a[i] & 0xFF) + (b[i] & 0xFF) + carry;
            out[i] = (byte)sum;
            carry = sum >>> 8;
        }
        return carry == 0 ? out : null;
    }

    /** @return a - b, or null on underflow. */
    static byte[] subtract(final byte[] a, final byte[] b)
    {
        final byte[] out = new byte[32];
        int borrow = 0;
        for (int i = 31; i >= 0; i--)
        {
            int diff = (a[i] & 0xFF) - (b[i] & 0xFF) - borrow;
            borrow = diff < 0 ? 1 : 0;
            if (diff < 0)
            {
                diff += 256;
            }
            out[i] = (byte)diff;
        }
        return borrow == 0 ? out : null;
    }
}
