package dev.offpeak.schemas.tenants;

import dev.offpeak.schemas.events.Provider;
import java.util.Objects;
import java.util.Set;

/**
 * What one tenant's tokens may do. Empty {@code providers} or {@code models} means "any" (the price
 * catalog still limits models to priced ones).
 *
 * @param globalDedup the tenant opted into sharing answers with other opted-in tenants
 */
public record TenantPolicy(String tenant, Set<Provider> providers, Set<String> models, boolean globalDedup) {
    public TenantPolicy {
        Objects.requireNonNull(tenant, "tenant");
        providers = Set.copyOf(providers);
        models = Set.copyOf(models);
    }

    public boolean allows(Provider provider) {
        return providers.isEmpty() || providers.contains(provider);
    }

    public boolean allowsModel(String model) {
        return models.isEmpty() || models.contains(model);
    }
}
