package dev.offpeak.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Kafka client properties an operator passes through the environment, the same way in every
 * service: {@code OFFPEAK_KAFKA_<NAME>=value} becomes the property {@code <name>} (lower case,
 * {@code _} for {@code .}) of every Kafka client the service creates, so
 * {@code OFFPEAK_KAFKA_SECURITY_PROTOCOL=SASL_SSL} is {@code security.protocol=SASL_SSL}. This is
 * how a service reaches a Kafka that needs TLS or SASL; names are not checked against Kafka's
 * (a plug-in may read its own), and a client warns about names it does not know.
 *
 * <p>{@value #BOOTSTRAP} is the bootstrap key and is not passed through. Each service names the
 * properties it sets itself ({@link Owned}): a pass-through of one of those is reported like any
 * other bad key, naming the key and why, and never applied. Values whose property may hold a
 * secret ({@link #isSecret}) are masked in {@link #describeTo}, {@link #toString()} and every
 * error message; only {@link #properties()} (for the clients) has them.
 *
 * @param properties property name to value, as given; hand them only to Kafka clients
 * @param keys property name to the environment key it came from
 * @param shadowed environment keys whose property a more specific prefix also set (and won)
 */
public record KafkaClientSettings(Map<String, String> properties, Map<String, String> keys, List<String> shadowed) {
    /** The prefix of the pass-through shared by every service. */
    public static final String PREFIX = "OFFPEAK_KAFKA_";
    /** The brokers, in every service; not a pass-through (there is no {@code bootstrap} property). */
    public static final String BOOTSTRAP = "OFFPEAK_KAFKA_BOOTSTRAP";

    /** No pass-through at all: what embedders that do not read the environment start from. */
    public static final KafkaClientSettings NONE = new KafkaClientSettings(Map.of(), Map.of(), List.of());

    /**
     * The prefixes Kafka Streams puts before a client property to aim it at one of its clients
     * ({@code producer.acks}); an owned property is refused with any of them too.
     */
    private static final List<String> CLIENT_PREFIXES = List.of("main.consumer.", "restore.consumer.",
            "global.consumer.", "consumer.", "producer.", "admin.");

    private static final Pattern NAME = Pattern.compile("[A-Z0-9]+(_[A-Z0-9]+)*");

    /**
     * Words of a property name that say its value may be a secret: {@code ssl.key.password},
     * {@code ssl.keystore.key}, {@code sasl.jaas.config},
     * {@code sasl.oauthbearer.client.credentials.client.secret}, {@code ...private.key.passphrase}.
     */
    private static final Pattern SECRET = Pattern.compile(
            "(^|.*\\.)(key|[a-z]*(password|passphrase|secret|jaas|token)[a-z]*)(\\..*|$)");

    public KafkaClientSettings {
        properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        keys = Collections.unmodifiableMap(new TreeMap<>(keys));
        shadowed = List.copyOf(shadowed);
    }

    /**
     * The properties a service sets itself, each with why; {@link #read} refuses them. Every
     * service owns {@code bootstrap.servers} ({@value #BOOTSTRAP}) and the serializers and
     * deserializers (records are the JSON the schemas module defines).
     *
     * @param component how the refusal names the service, e.g. {@code ingest-service}
     */
    public record Owned(String component, Map<String, String> reasons) {
        public Owned {
            Objects.requireNonNull(component, "component");
            Map<String, String> all = new LinkedHashMap<>();
            all.put("bootstrap.servers", "set " + BOOTSTRAP + " instead");
            for (String serde : List.of("key.serializer", "value.serializer", "key.deserializer", "value.deserializer")) {
                all.put(serde, "the records are the JSON the schemas module defines");
            }
            all.putAll(reasons);
            reasons = Collections.unmodifiableMap(all);
        }

        /** {@code property} is owned because a configuration key of the service sets it. */
        public static Map.Entry<String, String> byKey(String property, String key) {
            return Map.entry(property, "set " + key + " instead");
        }

        /** The reason {@code property} (or its client-prefixed base) is owned, or null. */
        String reason(String property) {
            String reason = reasons.get(property);
            for (String prefix : CLIENT_PREFIXES) {
                if (reason == null && property.startsWith(prefix)) {
                    reason = reasons.get(property.substring(prefix.length()));
                }
            }
            return reason;
        }
    }

    /**
     * Reads every {@code <prefix><NAME>} key of {@code env} for each prefix, in order: a later
     * (more specific) prefix wins over an earlier one for the same property. Owned properties and
     * malformed names are reported to {@code r}, values masked where the name says secret.
     *
     * @param prefixes {@link #PREFIX} first, then any service-specific one ({@code OFFPEAK_INGEST_KAFKA_})
     */
    public static KafkaClientSettings read(Map<String, String> env, EnvReader r, Owned owned, String... prefixes) {
        Map<String, String> properties = new TreeMap<>();
        Map<String, String> keys = new TreeMap<>();
        List<String> shadowed = new ArrayList<>();
        for (String prefix : prefixes) {
            for (String key : new TreeSet<>(env.keySet())) {
                String value = env.get(key);
                if (!key.startsWith(prefix) || key.equals(BOOTSTRAP) || value == null || value.isBlank()) {
                    continue;
                }
                String name = key.substring(prefix.length());
                if (!NAME.matcher(name).matches()) {
                    r.problem(key, masked(property(name), value), "must be " + prefix
                            + " followed by a Kafka client property in upper case with _ for . (e.g. " + prefix
                            + "SECURITY_PROTOCOL for security.protocol)");
                    continue;
                }
                String property = property(name);
                String reason = owned.reason(property);
                if (reason != null) {
                    r.problem(key, masked(property, value), owned.component() + " sets " + property + " itself: " + reason);
                    continue;
                }
                String earlier = keys.put(property, key);
                if (earlier != null) {
                    shadowed.add(earlier);
                }
                properties.put(property, value.trim());
            }
        }
        return new KafkaClientSettings(properties, keys, shadowed);
    }

    /** {@code SASL_JAAS_CONFIG} → {@code sasl.jaas.config}. */
    static String property(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /**
     * Whether the value of this Kafka client property may be a secret: a password, passphrase,
     * secret, JAAS config or token in its name, or a {@code key} word
     * ({@code ssl.key.password}, {@code ssl.keystore.key}); {@code ssl.keystore.location} is not.
     */
    public static boolean isSecret(String property) {
        return SECRET.matcher(property.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@code value}, or {@link Description#MASK} when the property may hold a secret. */
    public static String masked(String property, String value) {
        return isSecret(property) ? Description.MASK : value;
    }

    /** Copies every property into a client's configuration (a {@code Properties} or a map). */
    public void applyTo(Map<? super String, ? super String> clientConfig) {
        clientConfig.putAll(properties);
    }

    public boolean isEmpty() {
        return properties.isEmpty();
    }

    /** Adds one {@code KEY=value} line per property to the start-up description, secrets masked. */
    public Description describeTo(Description d) {
        keys.forEach((property, key) -> d.add(key, masked(property, properties.get(property))));
        shadowed.forEach(key -> d.add(key, "(overridden by a more specific key)"));
        return d;
    }

    /** Masked, like the start-up log: a record's default would print the secrets. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((property, value) -> shown.put(property, masked(property, value)));
        return "KafkaClientSettings" + shown;
    }
}
