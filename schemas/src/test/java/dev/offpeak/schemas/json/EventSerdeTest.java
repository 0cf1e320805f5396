package dev.offpeak.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.TaskAccepted;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.pricing.RequestedMode;
import dev.offpeak.schemas.topics.Topic;
import dev.offpeak.schemas.validation.SchemaValidator;
import dev.offpeak.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EventSerdeTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void batchItemsTopicReadsBothLinesAndMarkersByTheirWireType() {
        var line = SchemaValidator.get().schemaDocument(EventTypes.BATCH_ITEM).get("examples").get(0);
        var marker = SchemaValidator.get().schemaDocument(EventTypes.BATCH_CLOSED).get("examples").get(0);
        var deserializer = Topics.BATCH_ITEMS.valueSerde().deserializer();
        BatchRecord item = deserializer.deserialize("t", bytes(line.toString()));
        BatchRecord closed = deserializer.deserialize("t", bytes(marker.toString()));
        assertThat(item).isInstanceOf(BatchItem.class);
        assertThat(closed).isInstanceOf(BatchClosed.class);
        assertThat(item.batchId()).isEqualTo(closed.batchId());
    }

    @Test
    void aTasksModeIsReadAndWrittenByItsIdAndLeftOutWhenNotGiven() {
        ObjectNode json = SchemaValidator.get().schemaDocument(EventTypes.TASK_SUBMITTED).get("examples").get(0).deepCopy();
        var serde = EventSerde.of(TaskSubmitted.class);
        json.put("mode", "flex");
        TaskSubmitted flex = serde.convert(json);
        assertThat(flex.mode()).isEqualTo(RequestedMode.FLEX);
        assertThat(Json.tree(flex).get("mode").asText()).isEqualTo("flex");

        json.remove("mode");
        TaskSubmitted none = serde.convert(json);
        assertThat(none.mode()).isNull();
        assertThat(Json.tree(none).has("mode")).isFalse();

        json.put("mode", "fast");
        assertThatThrownBy(() -> serde.convert(json)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown mode 'fast'");
    }

    @Test
    void recordOfAnotherTypeIsRefusedWithBothTypesNamed() {
        var accepted = SchemaValidator.get().schemaDocument(EventTypes.TASK_ACCEPTED).get("examples").get(0);
        assertThatThrownBy(() -> Topics.BATCH_ITEMS.valueSerde().deserializer().deserialize("t", bytes(accepted.toString())))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("task.accepted")
                .hasMessageContaining("BatchRecord");
    }

    @Test
    void malformedAndUntypedInputIsASerializationExceptionNotACrash() {
        var d = Topics.TASK_ACCEPTED.valueSerde().deserializer();
        assertThatThrownBy(() -> d.deserialize("t", bytes("{\"type\":")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> d.deserialize("t", bytes("{\"task_id\":\"x\"}")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown event type ''");
        assertThatThrownBy(() -> d.deserialize("t", bytes("[1,2]")))
                .isInstanceOf(SerializationException.class).hasMessageContaining("expected a JSON object");
        assertThat(d.deserialize("t", null)).isNull();
    }

    @Test
    void deepNestingIsRejectedInsteadOfExhaustingTheStack() {
        String deep = "{\"type\":\"task.accepted\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThatThrownBy(() -> EventSerde.of(TaskAccepted.class).parse(bytes(deep)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("nesting depth");
    }

    @Test
    void everyTopicIsDeclaredOnceWithItsName() {
        List<String> names = Topics.all().stream().map(Topic::name).toList();
        assertThat(names).containsExactly("offpeak.tasks", "offpeak.tasks.dlq", "offpeak.jobs", "offpeak.task-accepted",
                "offpeak.batch-items", "offpeak.task-completed", "offpeak.job-completed", "offpeak.budget-events");
        assertThat(names).doesNotHaveDuplicates();
    }
}
