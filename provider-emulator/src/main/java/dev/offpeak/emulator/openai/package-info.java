/**
 * The OpenAI Files + Batches API under {@code /openai/v1}: {@link dev.offpeak.emulator.openai.OpenAiRoutes},
 * the streamed input-file validation ({@link dev.offpeak.emulator.openai.OpenAiInputScan}), prompt token
 * counting ({@link dev.offpeak.emulator.openai.OpenAiPrompt}) and automatic prefix caching
 * ({@link dev.offpeak.emulator.openai.PrefixCache}), the per-line answers
 * ({@link dev.offpeak.emulator.openai.OpenAiAnswers}), the batch and file objects
 * ({@link dev.offpeak.emulator.openai.OpenAiJson}) and the output and error files
 * ({@link dev.offpeak.emulator.openai.OpenAiResultWriter}).
 */
package dev.offpeak.emulator.openai;
