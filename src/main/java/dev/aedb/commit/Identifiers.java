package dev.aedb.commit;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

/**
 * Identifier rules for projects, scopes, tables and columns: 1-128 bytes of {@code [A-Za-z0-9_-]}.
 */
final class Identifiers
{
    /** Longest identifier in bytes. */
    static final int MAX_LENGTH = 128;

    private Identifiers()
    {
    }

    /**
     * @param kind  what the identifier names, for the message ("project", "table", ...).
     * @param value the identifier.
     * @return value.
     * @throws AedbException INVALID_IDENTIFIER when the rule is broken.
     */
    static String check(final String kind, final String value)
    {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH)
        {
            throw new AedbException(ErrorCode.INVALID_IDENTIFIER,
                kind + " id must be 1-" + MAX_LENGTH + " chars of [A-Za-z0-9_-], " + kind + "=" + value);
        }
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok)
            {
                throw new AedbException(ErrorCode.INVALID_IDENTIFIER,
                    kind + " id must be 1-" + MAX_LENGTH + " chars of [A-Za-z0-9_-], " + kind + "=" + value);
            }
        }
        return value;
    }
}
