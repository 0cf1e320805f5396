package dev.offpeak.emulator;

import java.util.List;
import java.util.Map;

/** Endpoint names used for counters and fault injection, e.g. {@code openai create_batch}. */
public final class Operations {
    public static final String UPLOAD_FILE = "upload_file";
    public static final String LIST_FILES = "list_files";
    public static final String GET_FILE = "get_file";
    public static final String FILE_CONTENT = "file_content";
    public static final String DELETE_FILE = "delete_file";
    public static final String CREATE_BATCH = "create_batch";
    public static final String GET_BATCH = "get_batch";
    public static final String LIST_BATCHES = "list_batches";
    public static final String CANCEL_BATCH = "cancel_batch";
    public static final String DELETE_BATCH = "delete_batch";
    public static final String RESULTS = "results";
    public static final String CREATE_CACHED_CONTENT = "create_cached_content";
    public static final String GET_CACHED_CONTENT = "get_cached_content";
    public static final String LIST_CACHED_CONTENTS = "list_cached_contents";
    public static final String UPDATE_CACHED_CONTENT = "update_cached_content";
    public static final String DELETE_CACHED_CONTENT = "delete_cached_content";
    /** OpenAI synchronous {@code POST /v1/chat/completions}. */
    public static final String CHAT_COMPLETIONS = "chat_completions";
    /** OpenAI synchronous {@code POST /v1/responses}. */
    public static final String RESPONSES = "responses";
    /** OpenAI synchronous {@code POST /v1/embeddings}. */
    public static final String EMBEDDINGS = "embeddings";
    /** Anthropic synchronous {@code POST /v1/messages}. */
    public static final String MESSAGES = "messages";
    /** Gemini synchronous {@code POST models/{model}:generateContent}. */
    public static final String GENERATE_CONTENT = "generate_content";

    private static final Map<Provider, List<String>> BY_PROVIDER = Map.of(
            Provider.OPENAI, List.of(UPLOAD_FILE, LIST_FILES, GET_FILE, FILE_CONTENT, DELETE_FILE,
                    CREATE_BATCH, GET_BATCH, LIST_BATCHES, CANCEL_BATCH, CHAT_COMPLETIONS, RESPONSES, EMBEDDINGS),
            Provider.ANTHROPIC, List.of(CREATE_BATCH, GET_BATCH, LIST_BATCHES, CANCEL_BATCH, DELETE_BATCH, RESULTS,
                    MESSAGES),
            Provider.GEMINI, List.of(UPLOAD_FILE, LIST_FILES, GET_FILE, FILE_CONTENT, DELETE_FILE,
                    CREATE_BATCH, GET_BATCH, LIST_BATCHES, CANCEL_BATCH, DELETE_BATCH, CREATE_CACHED_CONTENT,
                    GET_CACHED_CONTENT, LIST_CACHED_CONTENTS, UPDATE_CACHED_CONTENT, DELETE_CACHED_CONTENT,
                    GENERATE_CONTENT));

    /** Short aliases accepted from tests and the admin API: {@code create}, {@code get}, {@code list}, ... */
    private static final Map<String, String> ALIASES = Map.of(
            "create", CREATE_BATCH, "get", GET_BATCH, "list", LIST_BATCHES, "cancel", CANCEL_BATCH,
            "delete", DELETE_BATCH, "upload", UPLOAD_FILE, "download", FILE_CONTENT);

    private Operations() {
    }

    public static List<String> of(Provider provider) {
        return BY_PROVIDER.get(provider);
    }

    /** The canonical operation name; throws naming the valid ones when unknown. */
    public static String require(Provider provider, String operation) {
        String op = ALIASES.getOrDefault(operation, operation);
        if (!of(provider).contains(op)) {
            throw new IllegalArgumentException("unknown operation '" + operation + "' for " + provider.wireName()
                    + "; known: " + of(provider));
        }
        return op;
    }
}
