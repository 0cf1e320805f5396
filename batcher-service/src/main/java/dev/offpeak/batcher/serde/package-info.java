/**
 * Kafka serdes for the batcher's own records on its repartition topic and in its stores: the
 * compact binary forms of {@link dev.offpeak.batcher.PendingTask} / {@link dev.offpeak.batcher.PackingInput}
 * ({@link dev.offpeak.batcher.serde.PendingTaskSerde}) and {@link dev.offpeak.batcher.LaneState}
 * ({@link dev.offpeak.batcher.serde.LaneStateSerde}), their shared framing (a version byte, then
 * length-prefixed fields), and a JSON serde for the rare records kept as JSON. Internal to the
 * batcher: no other service reads these formats.
 */
package dev.offpeak.batcher.serde;
