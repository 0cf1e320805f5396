package dev.offpeak.result.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The admin API's bearer check. Only the SHA-256 of the configured token is kept, and a presented
 * token is compared by digest in constant time ({@link MessageDigest#isEqual}), so neither its
 * content nor its length shows in the timing. No message names a token.
 */
final class AdminAuth {
    private static final String DISABLED = "admin API disabled: set OFFPEAK_RESULT_ADMIN_TOKEN";
    private static final String BEARER = "bearer ";

    private final byte[] digest;

    /** @param token the configured admin token; null: every admin request is refused (403) */
    AdminAuth(String token) {
        this.digest = token == null ? null : sha256(token);
    }

    /** Throws the 403 (no admin token configured) or 401 (none or another presented) the request earns. */
    void check(Context ctx) {
        if (digest == null) {
            throw ApiError.forbidden(DISABLED);
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw ApiError.unauthorized("the admin API needs 'Authorization: Bearer <admin token>' "
                    + "(the token of OFFPEAK_RESULT_ADMIN_TOKEN)");
        }
        if (!MessageDigest.isEqual(digest, sha256(header.substring(BEARER.length()).trim()))) {
            throw ApiError.unauthorized("not the admin token (OFFPEAK_RESULT_ADMIN_TOKEN)");
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
