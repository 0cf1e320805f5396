/**
 * The Gemini batchGenerateContent and Files APIs under {@code /gemini}:
 * {@link dev.offpeak.emulator.gemini.GeminiRoutes}, resumable uploads and downloads
 * ({@link dev.offpeak.emulator.gemini.GeminiFiles}), inline and file intake
 * ({@link dev.offpeak.emulator.gemini.GeminiIntake}), the per-request answers
 * ({@link dev.offpeak.emulator.gemini.GeminiAnswers}), the Operation and File resources
 * ({@link dev.offpeak.emulator.gemini.GeminiJson}) and the inline or file results
 * ({@link dev.offpeak.emulator.gemini.GeminiResultWriter}).
 */
package dev.offpeak.emulator.gemini;
