package dev.offpeak.ingest.http;

import dev.offpeak.ingest.ErrorCode;
import dev.offpeak.ingest.Rejection;
import java.util.List;
import java.util.Locale;

/** The media types each endpoint takes; anything else is a 415 that lists them. */
public final class ContentTypes {
    public static final String JSON = "application/json";
    public static final List<String> SINGLE = List.of(JSON);
    public static final List<String> NDJSON = List.of("application/x-ndjson", "application/ndjson",
            "application/jsonl", "application/x-jsonlines", "application/jsonlines");
    /** An OpenAI batch file is uploaded as is; tools label .jsonl files in several ways. */
    public static final List<String> JSONL_FILE = List.of("application/jsonl", "application/x-ndjson",
            "application/ndjson", "application/x-jsonlines", "application/jsonlines", "application/octet-stream",
            "text/plain");

    private ContentTypes() {}

    /** Throws a 415 rejection unless {@code header} names one of {@code accepted} (parameters ignored). */
    public static void require(String header, List<String> accepted) {
        String mediaType = header == null ? "" : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!accepted.contains(mediaType)) {
            throw Rejection.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type",
                    (header == null ? "missing" : "'" + truncate(header) + "' is not accepted")
                            + "; send one of " + String.join(", ", accepted)).exception();
        }
    }

    private static String truncate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }
}
