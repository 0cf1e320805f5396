/**
 * Wire-faithful emulator of the OpenAI, Anthropic and Gemini batch APIs: the wiring and the pieces
 * the three providers share. Each provider's routes, request intake, answers and result writer live
 * in its own package: {@link dev.offpeak.emulator.openai}, {@link dev.offpeak.emulator.anthropic},
 * {@link dev.offpeak.emulator.gemini}.
 *
 * <p>Read in this order: {@link dev.offpeak.emulator.ProviderEmulator} (start, wiring, Java API for
 * tests), the three route classes {@link dev.offpeak.emulator.openai.OpenAiRoutes},
 * {@link dev.offpeak.emulator.anthropic.AnthropicRoutes}, {@link dev.offpeak.emulator.gemini.GeminiRoutes}
 * (one per provider, each behind a {@link dev.offpeak.emulator.Gate} that counts calls, checks keys
 * and injects faults), then {@link dev.offpeak.emulator.Timeline} (a batch's state as a pure function
 * of the injected clock) and the per-provider result writers, which stream a terminal batch's input
 * once and write its output files to disk. Which models exist and their limits come from a
 * {@link dev.offpeak.emulator.ModelCatalog} (by default Offpeak's model registry);
 * each provider package's {@code *ModelChecks} refuses, per request and in that provider's shape, an
 * unknown model, a max-tokens value above the model's output limit and a prompt over its window.
 */
package dev.offpeak.emulator;
