// An independent check of the ledger: prices every stored result line from the raw provider
// response with the genai-prices library (its own usage extraction, model matching, tiers and
// prices), not with Offpeak's registry code.
//
// Input (stdin), one JSON object per line:
//   {"request_id", "provider": "openai|anthropic|gemini", "endpoint", "model", "response": {...},
//    "at": ISO-8601, "batch_multiplier": "0.5", "batch_cached_input": "multiplied|as_input|unmultiplied"}
// Output (stdout), one JSON object per line:
//   {"request_id", "sync_usd", "batch_usd", "library_sync_usd"} or {"request_id", "error"}
// sync_usd is worked out here class by class from the library's usage and price; library_sync_usd
// is the library's own calcPrice total, so the breakdown is itself checked against the library.
import { calcPrice, extractUsage, findProvider } from '@pydantic/genai-prices';
import { createInterface } from 'node:readline';

const PROVIDERS = { openai: 'openai', anthropic: 'anthropic', gemini: 'google' };
const FLAVORS = { '/v1/chat/completions': 'chat', '/v1/responses': 'responses', '/v1/embeddings': 'embeddings' };

function rate(value, promptTokens) {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  let r = value.base;
  for (const tier of value.tiers) if (promptTokens > tier.start) r = tier.price;
  return r;
}

function check(row) {
  const provider = findProvider({ providerId: PROVIDERS[row.provider] });
  const flavor = row.provider === 'openai' ? FLAVORS[row.endpoint] : 'default';
  const { usage } = extractUsage(provider, row.response, flavor);
  const result = calcPrice(usage, row.model, { provider, timestamp: new Date(row.at) });
  if (!result) return { request_id: row.request_id, error: `genai-prices has no price for ${row.model}` };
  const p = result.model_price;
  const prompt = usage.input_tokens ?? 0;
  const cacheRead = usage.cache_read_tokens ?? 0;
  const write1h = usage.cache_write_1h_tokens ?? 0;
  const write5m = (usage.cache_write_tokens ?? 0) - write1h;
  const fresh = prompt - cacheRead - write5m - write1h;
  const output = usage.output_tokens ?? 0;
  const input = rate(p.input_mtok, prompt);
  const cached = rate(p.cache_read_mtok, prompt) ?? input;
  const w5 = rate(p.cache_write_mtok, prompt) ?? input;
  const w1 = rate(p.cache_write_1h_mtok, prompt) ?? w5;
  const out = rate(p.output_mtok, prompt) ?? 0;
  const m = Number(row.batch_multiplier);
  const cachedBatch = { multiplied: cached * m, as_input: input * m, unmultiplied: cached }[row.batch_cached_input];
  const sync = (fresh * input + cacheRead * cached + write5m * w5 + write1h * w1 + output * out) / 1e6;
  const batch = (fresh * input * m + cacheRead * cachedBatch + write5m * w5 * m + write1h * w1 * m + output * out * m) / 1e6;
  return { request_id: row.request_id, sync_usd: sync, batch_usd: batch, library_sync_usd: result.total_price };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const row = JSON.parse(line);
  let answer;
  try {
    answer = check(row);
  } catch (e) {
    answer = { request_id: row.request_id, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
