package dev.offpeak.batcher;

import dev.offpeak.schemas.events.BatchClosed;
import dev.offpeak.schemas.events.BatchItem;
import dev.offpeak.schemas.events.BatchRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds batches from {@code offpeak.batch-items} as a downstream reader would (read_committed,
 * per partition in order) and checks them: each request id in exactly one batch, lines numbered
 * 0..n-1 before their marker, and each marker's count, bytes, tokens and checksum equal to its
 * lines. Keeps only ids and sizes, not the lines, so 100k lines fit a test heap.
 */
public final class BatchLedger {
    private record Line(long seq, String requestId, long bytes, long tokens) {}

    private final Map<String, List<Line>> lines = new HashMap<>();
    private final Map<String, BatchClosed> markers = new HashMap<>();
    private final Map<String, Integer> requestCounts = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long records;

    public void add(BatchRecord record) {
        records++;
        switch (record) {
            case BatchItem item -> {
                if (markers.containsKey(item.batchId())) {
                    problems.add("line " + item.seq() + " of " + item.batchId() + " after its marker");
                }
                lines.computeIfAbsent(item.batchId(), k -> new ArrayList<>())
                        .add(new Line(item.seq(), item.requestId(), item.lineBytes(), item.estimatedTokens()));
                requestCounts.merge(item.requestId(), 1, Integer::sum);
            }
            case BatchClosed marker -> {
                if (markers.put(marker.batchId(), marker) != null) {
                    problems.add("second marker for " + marker.batchId());
                }
            }
        }
    }

    public long records() {
        return records;
    }

    public int batches() {
        return markers.size();
    }

    public Map<String, BatchClosed> markers() {
        return markers;
    }

    /** Every expected request has a line and every batch with lines is closed. */
    public boolean complete(Set<String> expected) {
        return requestCounts.keySet().containsAll(expected) && markers.keySet().containsAll(lines.keySet());
    }

    public List<String> verify(Set<String> expected) {
        List<String> found = new ArrayList<>(problems);
        requestCounts.forEach((id, n) -> {
            if (n != 1) {
                found.add("request " + id + " appears in " + n + " lines");
            }
            if (!expected.contains(id)) {
                found.add("unexpected request " + id);
            }
        });
        expected.stream().filter(id -> !requestCounts.containsKey(id)).limit(10)
                .forEach(id -> found.add("missing request " + id));
        lines.forEach((batchId, batch) -> {
            BatchClosed m = markers.get(batchId);
            if (m == null) {
                found.add("batch " + batchId + " has no marker");
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).seq() != i) {
                    found.add("batch " + batchId + " line " + i + " has seq " + batch.get(i).seq());
                    break;
                }
            }
            long bytes = batch.stream().mapToLong(Line::bytes).sum();
            long tokens = batch.stream().mapToLong(Line::tokens).sum();
            String checksum = checksum(batch);
            if (m.itemCount() != batch.size() || m.bytes() != bytes || m.estimatedTokens() != tokens
                    || !m.idsChecksum().equals(checksum)) {
                found.add("marker of " + batchId + " says " + m.itemCount() + "/" + m.bytes() + "/" + m.estimatedTokens()
                        + "/" + m.idsChecksum() + " but lines give " + batch.size() + "/" + bytes + "/" + tokens + "/" + checksum);
            }
        });
        markers.keySet().stream().filter(id -> !lines.containsKey(id)).forEach(id -> found.add("empty batch " + id));
        return found;
    }

    private static String checksum(List<Line> batch) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            batch.forEach(l -> sha.update((l.requestId() + "\n").getBytes(StandardCharsets.US_ASCII)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
