package dev.offpeak.batcher;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.config.LaneLimits;
import static dev.offpeak.batcher.TopologyFixture.T0;
import static dev.offpeak.batcher.TopologyFixture.lines;
import static dev.offpeak.batcher.TopologyFixture.markers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import dev.offpeak.schemas.events.CloseReason;
import dev.offpeak.schemas.events.Provider;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.packing.PackingKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PackingTest {
    private TopologyFixture f;

    @AfterEach
    void close() {
        f.close();
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    static String checksum(List<BatchItem> items) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        items.forEach(i -> sha.update((i.requestId() + "\n").getBytes(StandardCharsets.US_ASCII)));
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void batchClosesOnCountAndTheMarkerFollowsItsLinesWithMatchingTotals() throws Exception {
        f = new TopologyFixture(env(BatcherConfig.maxRequestsKey(Provider.OPENAI), "3"));
        for (int i = 0; i < 4; i++) {
            f.send(f.openai("q" + i));
        }
        List<BatchRecord> records = f.batchRecords();
        assertThat(records).hasSize(5); // 3 lines, marker, 1 line of the next batch
        assertThat(records.get(3)).isInstanceOf(BatchClosed.class);
        BatchClosed marker = (BatchClosed) records.get(3);
        List<BatchItem> first = lines(records.subList(0, 3));
        assertThat(first).extracting(BatchItem::batchId).containsOnly(marker.batchId());
        assertThat(first).extracting(BatchItem::seq).containsExactly(0L, 1L, 2L);
        assertThat(marker.closeReason()).isEqualTo(CloseReason.COUNT);
        assertThat(marker.itemCount()).isEqualTo(3);
        assertThat(marker.bytes()).isEqualTo(first.stream().mapToLong(BatchItem::lineBytes).sum());
        assertThat(marker.estimatedTokens()).isEqualTo(first.stream().mapToLong(BatchItem::estimatedTokens).sum());
        assertThat(marker.idsChecksum()).isEqualTo(checksum(first));
        assertThat(marker.batchId()).matches("^b-[A-Za-z0-9_-]{1,62}$");
        assertThat(((BatchItem) records.get(4)).batchId()).isNotEqualTo(marker.batchId());
        assertThat(f.counter(BatcherMetrics.CLOSED, "provider", "openai", "reason", "count")).isEqualTo(1);
    }

    @Test
    void lineBytesAreTheUtf8LengthOfTheLinePlusItsNewline() {
        f = new TopologyFixture();
        f.send(f.openai("héllo"));
        BatchItem item = lines(f.batchRecords()).getFirst();
        assertThat(item.lineBytes()).isEqualTo(item.line().getBytes(StandardCharsets.UTF_8).length + 1);
    }

    @Test
    void batchClosesWhenTheNextLineWouldBreakTheByteLimit() {
        f = new TopologyFixture(env(BatcherConfig.maxBytesKey(Provider.ANTHROPIC), "2000", BatcherConfig.SAFETY_MARGIN, "0"));
        for (int i = 0; i < 5; i++) {
            f.send(f.anthropic("question number " + i + " " + "y".repeat(400)));
        }
        List<BatchRecord> records = f.batchRecords();
        List<BatchClosed> closed = markers(records);
        assertThat(closed).isNotEmpty().allSatisfy(m -> {
            assertThat(m.closeReason()).isEqualTo(CloseReason.BYTES);
            assertThat(m.bytes()).isLessThanOrEqualTo(2000);
        });
        assertThat(lines(records)).hasSize(5);
    }

    @Test
    void safetyMarginLowersTheByteLimit() {
        f = new TopologyFixture(env(BatcherConfig.maxBytesKey(Provider.OPENAI), "10000", BatcherConfig.SAFETY_MARGIN, "0.5"));
        for (int i = 0; i < 20; i++) {
            f.send(f.openai("q" + i + "z".repeat(300)));
        }
        assertThat(markers(f.batchRecords())).allSatisfy(m -> assertThat(m.bytes()).isLessThanOrEqualTo(5000));
    }

    @Test
    void batchClosesWhenTheNextLineWouldBreakTheModelsTokenLimit() {
        f = new TopologyFixture(env(BatcherConfig.TOKEN_LIMITS, "gpt-4o-mini=100", BatcherConfig.SAFETY_MARGIN, "0"));
        for (int i = 0; i < 10; i++) {
            f.send(f.openai("the quick brown fox jumps over the lazy dog number " + i));
        }
        List<BatchRecord> records = f.batchRecords();
        assertThat(markers(records)).isNotEmpty().allSatisfy(m -> {
            assertThat(m.closeReason()).isEqualTo(CloseReason.TOKENS);
            assertThat(m.estimatedTokens()).isLessThanOrEqualTo(100);
        });
    }

    @Test
    void batchClosesOnAgeByWallClockPunctuation() {
        f = new TopologyFixture(env(BatcherConfig.MAX_WAIT, "5m"));
        f.send(f.openai("a"));
        f.advance(Duration.ofMinutes(4));
        assertThat(markers(f.batchRecords())).isEmpty();
        f.advance(Duration.ofMinutes(1));
        List<BatchClosed> closed = markers(f.batchRecords());
        assertThat(closed).singleElement().satisfies(m -> {
            assertThat(m.closeReason()).isEqualTo(CloseReason.AGE);
            assertThat(m.openedAt()).isEqualTo(T0);
            assertThat(m.closedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        });
    }

    @Test
    void sealingAJobClosesItsBatchesAfterTheGraceAndLeavesOtherLanesOpen() {
        f = new TopologyFixture(env(BatcherConfig.SEAL_GRACE, "2s"));
        ObjectNode a = f.openai("a");
        a.put("job_id", "nightly");
        ObjectNode other = f.anthropic("b");
        f.send(a);
        f.send(other);
        f.seal("nightly", T0);
        ObjectNode late = f.openai("late task of the sealed job");
        late.put("job_id", "nightly");
        f.send(late); // overtaken by its seal: still joins the batch within the grace
        f.advance(Duration.ofSeconds(2));

        List<BatchRecord> records = f.batchRecords();
        assertThat(markers(records)).singleElement().satisfies(m -> {
            assertThat(m.closeReason()).isEqualTo(CloseReason.JOB_SEALED);
            assertThat(m.jobIds()).containsExactly("nightly");
            assertThat(m.itemCount()).isEqualTo(2);
        });
    }

    @Test
    void taskOfAnAlreadySealedJobClosesItsBatchAfterTheGrace() {
        f = new TopologyFixture(env(BatcherConfig.SEAL_GRACE, "1s"));
        f.seal("nightly", T0);
        f.advance(Duration.ofSeconds(30));
        ObjectNode late = f.gemini("late");
        late.put("job_id", "nightly");
        f.send(late);
        f.advance(Duration.ofSeconds(1));
        assertThat(markers(f.batchRecords())).singleElement()
                .satisfies(m -> assertThat(m.closeReason()).isEqualTo(CloseReason.JOB_SEALED));
    }

    @Test
    void shardsSplitAHotPrefixOverSeveralKeysHenceSeveralPartitionsAndBatches() {
        f = new TopologyFixture(env(BatcherConfig.LANE_SHARDS, "gpt-4o-mini=4", BatcherConfig.MAX_WAIT, "1m"));
        Map<String, String> keyByRequest = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            ObjectNode task = f.openai("You review code tersely.", "prompt " + i);
            keyByRequest.put(f.packing(task).requestId(), f.packingKey(task));
            f.send(task);
        }
        f.advance(Duration.ofMinutes(1));
        List<BatchRecord> records = f.batchRecords();
        List<BatchItem> items = lines(records);
        assertThat(items).hasSize(40).extracting(BatchItem::prefixFingerprint).containsOnly(items.getFirst().prefixFingerprint());
        assertThat(items.getFirst().prefixFingerprint()).matches("[0-9a-f]{16}");
        // one prefix, four shards: four keys; each key's partition packs its own batch of the lane
        assertThat(keyByRequest.values()).containsOnly(
                "openai|/v1/chat/completions|gpt-4o-mini|" + items.getFirst().prefixFingerprint() + "|0",
                "openai|/v1/chat/completions|gpt-4o-mini|" + items.getFirst().prefixFingerprint() + "|1",
                "openai|/v1/chat/completions|gpt-4o-mini|" + items.getFirst().prefixFingerprint() + "|2",
                "openai|/v1/chat/completions|gpt-4o-mini|" + items.getFirst().prefixFingerprint() + "|3")
                .hasSize(40);
        assertThat(keyByRequest.values().stream().distinct()).hasSize(4);
        Map<String, java.util.Set<Integer>> partitionsByBatch = items.stream().collect(Collectors.groupingBy(
                BatchItem::batchId, Collectors.mapping(i -> PackingKey.partition(keyByRequest.get(i.requestId()),
                        TopologyFixture.PARTITIONS), Collectors.toSet())));
        assertThat(partitionsByBatch.values()).allSatisfy(p -> assertThat(p).hasSize(1));
        long partitions = keyByRequest.values().stream().map(k -> PackingKey.partition(k, TopologyFixture.PARTITIONS))
                .distinct().count();
        assertThat(partitions).isGreaterThan(1);
        assertThat(partitionsByBatch).hasSize((int) partitions);
        assertThat(items).extracting(BatchItem::lane).containsOnly("openai|/v1/chat/completions|gpt-4o-mini");
        assertThat(markers(records)).hasSize((int) partitions);
    }

    @Test
    void eachProviderGetsItsOwnLineFormatAndLimits() {
        f = new TopologyFixture(env(BatcherConfig.maxRequestsKey(Provider.OPENAI), "2",
                BatcherConfig.maxRequestsKey(Provider.ANTHROPIC), "3", BatcherConfig.maxRequestsKey(Provider.GEMINI), "4"));
        for (int i = 0; i < 4; i++) {
            f.send(f.openai("o" + i));
            f.send(f.anthropic("a" + i));
            f.send(f.gemini("g" + i));
        }
        List<BatchRecord> records = f.batchRecords();
        Map<Provider, List<Long>> counts = markers(records).stream().collect(Collectors.groupingBy(
                BatchClosed::provider, Collectors.mapping(BatchClosed::itemCount, Collectors.toList())));
        assertThat(counts).containsEntry(Provider.OPENAI, List.of(2L, 2L)).containsEntry(Provider.ANTHROPIC, List.of(3L))
                .containsEntry(Provider.GEMINI, List.of(4L));

        Map<Provider, JsonNode> firstLine = lines(records).stream().collect(Collectors.toMap(BatchItem::provider,
                i -> read(i.line()), (x, y) -> x));
        JsonNode o = firstLine.get(Provider.OPENAI);
        assertThat(o.get("method").asText()).isEqualTo("POST");
        assertThat(o.get("url").asText()).isEqualTo("/v1/chat/completions");
        assertThat(o.at("/body/model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(o.at("/body/messages/0/content").asText()).isEqualTo("o0");
        JsonNode a = firstLine.get(Provider.ANTHROPIC);
        assertThat(a.at("/params/model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(a.at("/params/max_tokens").asInt()).isEqualTo(64);
        JsonNode g = firstLine.get(Provider.GEMINI);
        assertThat(g.at("/request/contents/0/parts/0/text").asText()).isEqualTo("g0");
        lines(records).forEach(i -> {
            JsonNode line = read(i.line());
            String id = i.provider() == Provider.GEMINI ? line.get("key").asText() : line.get("custom_id").asText();
            assertThat(id).isEqualTo(i.requestId()).matches("^[A-Za-z0-9_-]{1,64}$");
        });
    }

    @Test
    void defaultLimitsAreTheProvidersPublishedOnes() {
        f = new TopologyFixture();
        assertThat(f.config.limitsFor(Provider.OPENAI, "gpt-4o")).isEqualTo(
                new LaneLimits(50_000, 190_000_000L, LaneLimits.UNLIMITED));
        assertThat(f.config.limitsFor(Provider.ANTHROPIC, "claude-haiku-4-5").maxRequests()).isEqualTo(100_000);
        assertThat(f.config.limitsFor(Provider.ANTHROPIC, "claude-haiku-4-5").maxBytes()).isEqualTo(243_200_000L);
        assertThat(f.config.limitsFor(Provider.GEMINI, "gemini-2.5-pro").maxBytes()).isEqualTo(1_900_000_000L);
    }

    @Test
    void lanesOfDifferentModelsNeverShareABatch() {
        f = new TopologyFixture(env(BatcherConfig.MAX_WAIT, "1m"));
        f.send(f.openai("x"));
        ObjectNode other = f.task("openai", "gpt-5-mini", "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        f.send(other);
        f.advance(Duration.ofMinutes(1));
        assertThat(markers(f.batchRecords())).extracting(BatchClosed::model)
                .containsExactlyInAnyOrder("gpt-4o-mini", "gpt-5-mini");
    }

    private static JsonNode read(String line) {
        try {
            return Json.mapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
