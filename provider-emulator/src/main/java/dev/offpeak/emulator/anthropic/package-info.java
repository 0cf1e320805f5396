/**
 * The Anthropic Message Batches API under {@code /anthropic/v1/messages/batches}:
 * {@link dev.offpeak.emulator.anthropic.AnthropicRoutes}, the streamed reading and synchronous checks of a create body
 * ({@link dev.offpeak.emulator.anthropic.AnthropicIntake}), the per-request answers
 * ({@link dev.offpeak.emulator.anthropic.AnthropicAnswers}) and the results file
 * ({@link dev.offpeak.emulator.anthropic.AnthropicResultWriter}).
 */
package dev.offpeak.emulator.anthropic;
