package dev.aedb.model;

/**
 * Checks that Java text can be stored: UTF-8 has no encoding for an unpaired surrogate, and
 * {@link String#getBytes(java.nio.charset.Charset)} silently writes {@code '?'} for one, so two different strings
 * would be stored (and compared, and used as keys) as the same bytes.
 */
public final class Utf16
{
    private Utf16()
    {
    }

    /**
     * @param text any string, not null.
     * @return the index of the first unpaired surrogate, or -1 when the text is well-formed UTF-16.
     */
    public static int unpairedSurrogate(final String text)
    {
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            if (Character.isSurrogate(c))
            {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1)))
                {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }
}
