package dev.offpeak.result.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offpeak.result.budget.Budget;
import dev.offpeak.result.budget.BudgetStore;
import dev.offpeak.schemas.json.EventTypes;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.validation.Problem;
import dev.offpeak.schemas.validation.SchemaValidator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Budgets as the admin API and {@code GET /v1/budgets} read and write them. A budget's standing is
 * {@code {budget_id, tenant, job_id, metadata_key, metadata_value, period, mode, limit_usd, thresholds,
 * period_start, spent_usd, reserved_usd, left_usd}}, dollars as exact decimal strings. A PUT body is read
 * into a {@link Budget} with every problem named by its field at once.
 */
final class BudgetJson {
    /** Budget ids: what the budgets table allows, one URL path segment as it is. */
    static final Pattern BUDGET_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
    private static final Set<String> FIELDS = Set.of("tenant", "limit_usd", "period", "mode", "job_id", "metadata_key",
            "metadata_value", "thresholds");
    /** Plain decimal dollars: up to a trillion, to the nano-dollar and beyond. */
    private static final Pattern USD = Pattern.compile("\\d{1,15}(\\.\\d{1,12})?");
    private static final BigDecimal MAX_THRESHOLD = BigDecimal.TEN;
    private static final int MAX_THRESHOLDS = 20;
    /** Tenant and job ids as task.submitted allows them: a budget can only cover tasks that can exist. */
    private static final JsonNode TASK_SCHEMA = SchemaValidator.get().schemaDocument(EventTypes.TASK_SUBMITTED);
    private static final Pattern TENANT = Pattern.compile(TASK_SCHEMA.at("/properties/tenant/pattern").asText());
    private static final Pattern JOB_ID = Pattern.compile(TASK_SCHEMA.at("/properties/job_id/pattern").asText());
    private static final int MAX_JOB_ID = TASK_SCHEMA.at("/properties/job_id/maxLength").asInt();
    private static final int MAX_METADATA_VALUE = TASK_SCHEMA.at("/properties/metadata/additionalProperties/maxLength")
            .asInt();

    private BudgetJson() {}

    /** {@code {"budgets": [standing, ...]}}. */
    static ObjectNode list(List<BudgetStore.Standing> standings) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode budgets = root.putArray("budgets");
        standings.forEach(s -> budgets.add(standing(s)));
        return root;
    }

    static ObjectNode standing(BudgetStore.Standing s) {
        Budget b = s.budget();
        ObjectNode node = Json.mapper().createObjectNode().put("budget_id", b.budgetId()).put("tenant", b.tenant())
                .put("job_id", b.jobId()).put("metadata_key", b.metadataKey()).put("metadata_value", b.metadataValue())
                .put("period", b.period().db()).put("mode", b.mode().db()).put("limit_usd", usd(b.limitUsd()));
        ArrayNode thresholds = node.putArray("thresholds");
        b.thresholds().forEach(thresholds::add);
        return node.put("period_start", s.periodStart().toString()).put("spent_usd", usd(s.spentUsd()))
                .put("reserved_usd", usd(s.reservedUsd())).put("left_usd", usd(s.leftUsd()));
    }

    /**
     * The budget a PUT of {@code budgetId} with {@code body} asks for, thresholds ascending.
     *
     * @throws ApiError 400 naming every field that is wrong
     */
    static Budget parse(String budgetId, String body) {
        List<Problem> problems = new ArrayList<>();
        if (!BUDGET_ID.matcher(budgetId).matches()) {
            problems.add(new Problem("budget_id", "must be 1 to 128 letters, digits, '.', '_', '~' or '-', was "
                    + budgetId));
        }
        JsonNode root = object(body, problems);
        if (root == null) {
            throw ApiError.invalidBody(problems);
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(new Problem(name, "unknown field (a budget has " + String.join(", ", new TreeSet<>(FIELDS))
                        + ")"));
            }
        }
        String tenant = text(root, "tenant", true, problems);
        if (tenant != null && !TENANT.matcher(tenant).matches()) {
            problems.add(new Problem("tenant", "must match " + TENANT + ", was " + tenant));
        }
        BigDecimal limit = limit(root.get("limit_usd"), problems);
        Budget.Period period = choice(root, "period", Budget.Period.class, "day, month or none", problems);
        Budget.Mode mode = choice(root, "mode", Budget.Mode.class, "hard, hold or soft", problems);
        if (mode == Budget.Mode.HOLD && period == Budget.Period.NONE) {
            problems.add(new Problem("mode", "hold waits for the next period: it needs period day or month"));
        }
        String jobId = text(root, "job_id", false, problems);
        if (jobId != null && (jobId.length() > MAX_JOB_ID || !JOB_ID.matcher(jobId).matches())) {
            problems.add(new Problem("job_id", "must be a job id (" + JOB_ID + ", at most " + MAX_JOB_ID
                    + " characters), was " + jobId));
        }
        String key = text(root, "metadata_key", false, problems);
        String value = text(root, "metadata_value", false, problems);
        // both or neither (one present but not a string is already a problem of its own)
        if (key != null && !root.hasNonNull("metadata_value")) {
            problems.add(new Problem("metadata_value", "required with metadata_key"));
        }
        if (value != null && !root.hasNonNull("metadata_key")) {
            problems.add(new Problem("metadata_key", "required with metadata_value"));
        }
        if (value != null && value.length() > MAX_METADATA_VALUE) {
            problems.add(new Problem("metadata_value", "must be at most " + MAX_METADATA_VALUE
                    + " characters, as a task's metadata value"));
        }
        List<BigDecimal> thresholds = thresholds(root.get("thresholds"), problems);
        if (!problems.isEmpty()) {
            throw ApiError.invalidBody(problems);
        }
        return new Budget(budgetId, tenant, jobId, key, value, period, limit, mode, thresholds, true);
    }

    private static JsonNode object(String body, List<Problem> problems) {
        try {
            // numbers as exact decimals: 0.1 stays 0.1
            JsonNode root = Json.mapper().reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(body);
            if (root != null && root.isObject()) {
                return root;
            }
            problems.add(new Problem("body", "must be a JSON object"));
        } catch (JacksonException e) {
            problems.add(new Problem("body", "malformed JSON: " + e.getOriginalMessage()));
        }
        return null;
    }

    /** A string field; null when absent or null (a problem when {@code required}). */
    private static String text(JsonNode root, String field, boolean required, List<Problem> problems) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(new Problem(field, "required"));
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            problems.add(new Problem(field, "must be a non-empty string" + (required ? "" : " or null")));
            return null;
        }
        return node.asText();
    }

    private static <E extends Enum<E>> E choice(JsonNode root, String field, Class<E> type, String allowed,
            List<Problem> problems) {
        String text = text(root, field, true, problems);
        if (text == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(text)) {
                return e;
            }
        }
        problems.add(new Problem(field, "must be " + allowed + ", was " + text));
        return null;
    }

    /** limit_usd, a decimal string or a JSON number. */
    private static BigDecimal limit(JsonNode node, List<Problem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new Problem("limit_usd", "required, a non-negative decimal such as \"25.00\""));
            return null;
        }
        String text = node.isNumber() ? node.decimalValue().toPlainString() : node.isTextual() ? node.asText() : null;
        if (text == null || !USD.matcher(text).matches()) {
            problems.add(new Problem("limit_usd", "must be a non-negative decimal such as \"25.00\" (at most 15 digits "
                    + "before the point and 12 after), was " + node));
            return null;
        }
        return new BigDecimal(text);
    }

    /** Fractions of the limit, each in (0, 10], ascending and without repeats; absent or null: the defaults. */
    private static List<BigDecimal> thresholds(JsonNode node, List<Problem> problems) {
        if (node == null || node.isNull()) {
            return Budget.DEFAULT_THRESHOLDS;
        }
        if (!node.isArray() || node.size() > MAX_THRESHOLDS) {
            problems.add(new Problem("thresholds", "must be an array of at most " + MAX_THRESHOLDS
                    + " fractions of the limit, e.g. [0.5, 0.8, 1.0]"));
            return null;
        }
        TreeSet<BigDecimal> ascending = new TreeSet<>();
        for (int i = 0; i < node.size(); i++) {
            BigDecimal t = fraction(node.get(i));
            if (t == null) {
                problems.add(new Problem("thresholds[" + i + "]", "must be a number > 0 and <= " + MAX_THRESHOLD
                        + " (a fraction of the limit: 0.8 = 80 %), was " + node.get(i)));
            } else {
                ascending.add(t);
            }
        }
        return List.copyOf(ascending);
    }

    private static BigDecimal fraction(JsonNode node) {
        BigDecimal value;
        if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                value = new BigDecimal(node.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return value.signum() > 0 && value.compareTo(MAX_THRESHOLD) <= 0 ? value : null;
    }

    private static String usd(BigDecimal usd) {
        return usd.toPlainString();
    }
}
