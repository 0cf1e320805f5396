package dev.offpeak.ingest.auth;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import dev.offpeak.schemas.tenants.TenantPolicy;
import dev.offpeak.schemas.tenants.Tenants;
import java.util.Locale;

/**
 * Bearer-token authentication against the shared token file ({@link Tenants}). The token is hashed
 * and looked up, never stored, compared in clear, logged or echoed in an error.
 */
public final class Authenticator {
    private static final String BEARER = "bearer ";

    private final Tenants tenants;

    public Authenticator(Tenants tenants) {
        this.tenants = tenants;
    }

    /** The tenant of the {@code Authorization} header's token; throws a 401 rejection otherwise. */
    public TenantPolicy authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw Rejection.of(ErrorCode.UNAUTHORIZED,
                    "missing Authorization header: send 'Authorization: Bearer <token>'").exception();
        }
        if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw Rejection.of(ErrorCode.UNAUTHORIZED,
                    "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'").exception();
        }
        String token = authorization.substring(BEARER.length()).trim();
        return tenants.forToken(token).orElseThrow(() -> Rejection.of(ErrorCode.UNAUTHORIZED,
                "unknown or revoked token").exception());
    }
}
