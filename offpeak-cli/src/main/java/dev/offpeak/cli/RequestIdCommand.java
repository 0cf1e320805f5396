package dev.offpeak.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.schemas.events.TaskSubmitted;
import dev.offpeak.schemas.identity.RequestIdentity;
import dev.offpeak.schemas.json.EventSerde;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.TaskValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Prints the request_id of each task in a file: the identity dedup uses and the custom_id the
 * provider sees. One task.submitted JSON object, or JSON Lines with one task per line.
 */
@Command(name = "request-id", mixinStandardHelpOptions = true,
        description = {"Print the request_id of a task (what dedup compares and what the provider sees as custom_id).",
                "FILE holds one task.submitted JSON object, or JSON Lines with one task per line."})
public final class RequestIdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "task.submitted JSON or JSONL file")
    Path file;

    @Option(names = "--canonical", description = "Also print the RFC 8785 canonical JSON that is hashed.")
    boolean canonical;

    @Option(names = "--tenant", description = "Tenant for tasks that leave it out (ingest fills it from the token).")
    String tenant;

    @Override
    public Integer call() {
        String text = read(file);
        PrintWriter out = spec.commandLine().getOut();
        List<String> lines = text.strip().startsWith("{") && !looksLikeJsonLines(text)
                ? List.of(text) : text.lines().toList();
        TaskValidator validator = new TaskValidator(ModelRegistry.loadDefault());
        boolean many = lines.stream().filter(l -> !l.isBlank()).count() > 1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = many ? file + ":" + (i + 1) : file.toString();
            TaskSubmitted task = parse(lines.get(i), where, validator);
            String id = RequestIdentity.requestId(task);
            out.println(many ? task.taskId() + "\t" + id : id);
            if (canonical) {
                out.println(RequestIdentity.canonicalJson(task));
            }
        }
        out.flush();
        return 0;
    }

    /** A pretty-printed object spans lines too; it is JSON Lines only if every non-blank line is an object. */
    private static boolean looksLikeJsonLines(String text) {
        return text.lines().filter(l -> !l.isBlank()).allMatch(l -> l.strip().startsWith("{") && l.strip().endsWith("}"));
    }

    private TaskSubmitted parse(String json, String where, TaskValidator validator) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(json);
        } catch (JacksonException e) {
            throw new CliException(where + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (!(tree instanceof ObjectNode task)) {
            throw new CliException(where + ": expected a task.submitted JSON object");
        }
        // What ingest fills in for a producer, so a file written for the HTTP API works as is.
        task.putIfAbsent("type", Json.mapper().getNodeFactory().textNode(TaskSubmitted.TYPE));
        task.putIfAbsent("schema_version", Json.mapper().getNodeFactory().numberNode(1));
        if (tenant != null) {
            task.putIfAbsent("tenant", Json.mapper().getNodeFactory().textNode(tenant));
        }
        List<Problem> problems = validator.validate(task);
        if (!problems.isEmpty()) {
            throw new CliException(where + ": not a valid task: " + problems.stream().map(Problem::toString)
                    .reduce((a, b) -> a + "; " + b).orElseThrow()
                    + (task.has("tenant") ? "" : " (give --tenant when the file leaves the tenant out)"));
        }
        return EventSerde.of(TaskSubmitted.class).convert(task);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("no such file: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
