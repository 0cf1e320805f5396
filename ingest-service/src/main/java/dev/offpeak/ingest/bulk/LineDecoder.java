package dev.offpeak.ingest.bulk;

import dev.offpeak.ingest.IntakeResult;
import dev.offpeak.schemas.tenants.TenantPolicy;

/** Turns the bytes of one line into a task ready to send, or the reasons it is not. */
@FunctionalInterface
public interface LineDecoder {
    IntakeResult decode(byte[] bytes, int offset, int length, TenantPolicy tenant);
}
