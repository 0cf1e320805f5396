package dev.offpeak.schemas.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.schemas.events.Event;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The one Kafka serde for every Offpeak event. The record's class is chosen by the {@code type}
 * field on the wire, so a serde for a sealed base type ({@code BatchRecord}) reads all its
 * members, and a record of an unexpected type fails with a message naming both types.
 */
public final class EventSerde<T extends Event> implements Serde<T> {
    private final Class<T> baseType;

    private EventSerde(Class<T> baseType) {
        this.baseType = baseType;
    }

    public static <T extends Event> EventSerde<T> of(Class<T> baseType) {
        return new EventSerde<>(baseType);
    }

    /** Parses one event from JSON bytes; throws {@link SerializationException} with the reason. */
    public T parse(byte[] data) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(data);
        } catch (JacksonException e) {
            throw new SerializationException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SerializationException("unreadable JSON: " + e.getMessage());
        }
        return convert(tree);
    }

    /** Converts a parsed JSON tree to the record named by its {@code type} field. */
    public T convert(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw new SerializationException("expected a JSON object for " + baseType.getSimpleName());
        }
        String typeName = tree.path("type").asText("");
        EventTypes type = EventTypes.byName(typeName)
                .orElseThrow(() -> new SerializationException("unknown event type '" + typeName + "'"));
        if (!baseType.isAssignableFrom(type.recordClass())) {
            throw new SerializationException(
                    "event type '" + typeName + "' is not a " + baseType.getSimpleName());
        }
        try {
            return baseType.cast(Json.mapper().treeToValue(tree, type.recordClass()));
        } catch (IOException | IllegalArgumentException e) {
            throw new SerializationException("cannot read " + typeName + ": " + e.getMessage());
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, event) -> event == null ? null : Json.writeBytes(event);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> data == null ? null : parse(data);
    }
}
