/**
 * The provider batch line of a task: {@link dev.offpeak.batcher.lines.LineFormat} turns a request
 * into the exact OpenAI, Anthropic or Gemini line that is uploaded, with the request id as its
 * custom id.
 */
package dev.offpeak.batcher.lines;
