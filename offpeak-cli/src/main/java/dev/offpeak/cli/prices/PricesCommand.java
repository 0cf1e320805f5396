package dev.offpeak.cli.prices;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offpeak.cli.CliException;
import dev.offpeak.schemas.json.Json;
import dev.offpeak.schemas.pricing.ModelRegistry;
import dev.offpeak.schemas.pricing.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code offpeak prices import|diff}: refresh the registry's imported prices from the genai-prices dataset. */
@Command(name = "prices", mixinStandardHelpOptions = true,
        description = {"Refresh the model registry's imported prices from the genai-prices dataset.",
                "Get the data with: node tools/genai-prices/dump.mjs > genai-prices-data.json"},
        subcommands = {PricesCommand.Import.class, PricesCommand.Diff.class})
public final class PricesCommand implements Runnable {
    static final Path DEFAULT_OUT = Path.of("schemas/src/main/resources" + ModelRegistry.IMPORTED_RESOURCE);
    /** Offpeak's own rows in the working tree: the ones being edited, not the copy built into this jar. */
    static final Path WORKING_TREE_OWN = Path.of("schemas/src/main/resources" + ModelRegistry.OWN_RESOURCE);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing command: import or diff");
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Convert FILE to the registry's imported layer and write it (checked first: a layer that "
                    + "would not load with Offpeak's own rows is not written).")
    static final class Import implements Callable<Integer> {
        @Mixin
        DataFile data;

        @Option(names = "--out", description = "Where to write the layer (default: ${DEFAULT-VALUE}).")
        Path out = DEFAULT_OUT;

        @Option(names = "--date", description = "Import date recorded with the rows (default: today, UTC).")
        LocalDate date = LocalDate.now(java.time.ZoneOffset.UTC);

        @Override
        public Integer call() throws IOException {
            PrintWriter pw = data.out();
            GenaiPricesImport.Result result = convert(data.file, date);
            List<String> problems = new ArrayList<>();
            ModelRegistry registry = check(result.layer(), data.own(), problems);
            if (registry == null) {
                throw new CliException("the imported rows would not load with Offpeak's own rows (" + data.ownName()
                        + "); nothing was written. Add the missing facts there first:\n  " + String.join("\n  ", problems));
            }
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result.layer()) + "\n");
            pw.println("wrote " + out + ": " + result.models() + " models imported, " + registry.all().size()
                    + " in the registry after Offpeak's rules");
            result.skipped().forEach(s -> pw.println("  left out " + s));
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Show what importing FILE would change in the registry's imported layer.")
    static final class Diff implements Callable<Integer> {
        @Mixin
        DataFile data;

        @Option(names = "--against", description = "Imported layer to compare with (default: the one on the classpath).")
        Path against;

        @Override
        public Integer call() throws IOException {
            PrintWriter pw = data.out();
            GenaiPricesImport.Result result = convert(data.file, LocalDate.now(java.time.ZoneOffset.UTC));
            JsonNode current = against == null ? ModelRegistry.shippedLayer(ModelRegistry.IMPORTED_RESOURCE) : read(against);
            List<String> changes = RegistryDiff.changes(current, result.layer());
            changes.forEach(pw::println);
            pw.println(changes.isEmpty() ? "no changes" : changes.size() + " change(s)");
            List<String> problems = new ArrayList<>();
            if (check(result.layer(), data.own(), problems) == null) {
                pw.println("import would refuse this data: with Offpeak's own rows (" + data.ownName() + ") it does not load:");
                problems.forEach(p -> pw.println("  " + p));
                return 1;
            }
            return 0;
        }
    }

    /** The genai-prices data file both subcommands read, and where they print. */
    static final class DataFile {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "genai-prices data JSON (node tools/genai-prices/dump.mjs)")
        Path file;

        @Option(names = "--own", description = "Offpeak's own rows to check the data against (default: "
                + "schemas/src/main/resources/registry/offpeak.json when run in the repository, else the built-in copy).")
        Path own;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        JsonNode own() {
            if (own != null) {
                return read(own);
            }
            if (Files.isRegularFile(WORKING_TREE_OWN)) {
                return read(WORKING_TREE_OWN);
            }
            return ModelRegistry.shippedLayer(ModelRegistry.OWN_RESOURCE);
        }

        String ownName() {
            return own != null ? own.toString()
                    : Files.isRegularFile(WORKING_TREE_OWN) ? WORKING_TREE_OWN.toString() : ModelRegistry.OWN_RESOURCE;
        }
    }

    static GenaiPricesImport.Result convert(Path file, LocalDate date) {
        try {
            return new GenaiPricesImport().convert(read(file), "@pydantic/genai-prices (" + file.getFileName() + ")", date);
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /** The registry the new layer gives with Offpeak's own rows, or null with {@code problems} filled. */
    static ModelRegistry check(JsonNode layer, JsonNode own, List<String> problems) {
        try {
            return ModelRegistry.load(List.of(layer, own), List.of("imported", "own"));
        } catch (RegistryException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(file + ": file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return ModelRegistry.readJson(in, file.toString());
        } catch (IOException | RegistryException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /** Rows keyed {@code provider/model}, sorted, for diffing. */
    static Map<String, JsonNode> rows(JsonNode layer) {
        Map<String, JsonNode> out = new TreeMap<>();
        layer.path("models").forEach(m -> out.put(m.path("provider").asText() + "/" + m.path("model").asText(), m));
        return out;
    }
}
