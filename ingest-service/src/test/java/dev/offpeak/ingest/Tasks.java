package dev.offpeak.ingest;

/** Task bodies for tests. */
public final class Tasks {
    private Tasks() {}

    /** A minimal valid task as an HTTP caller would send it (no type, version, tenant or submitted_at). */
    public static String chat(String taskId) {
        return """
                {"task_id": "%s", "provider": "openai", "model": "gpt-4o-mini", "endpoint": "/v1/chat/completions",
                 "request": {"messages": [{"role": "user", "content": "Hello %s"}], "max_tokens": 5}}"""
                .formatted(taskId, taskId);
    }

    /** The same on one line, for NDJSON. */
    public static String chatLine(String taskId) {
        return chat(taskId).replace("\n", " ");
    }

    /** A task of about {@code bytes} bytes on one line. */
    public static String chatLineOfSize(String taskId, int bytes) {
        String base = chatLine(taskId);
        int pad = Math.max(0, bytes - base.length());
        return base.replace("Hello " + taskId, "Hello " + taskId + " " + "x".repeat(pad));
    }

    /** One OpenAI Batch input-file line. */
    public static String openAiLine(String customId) {
        return ("{\"custom_id\": \"%s\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": "
                + "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi %s\"}],"
                + " \"max_tokens\": 10}}").formatted(customId, customId);
    }
}
