// openai SDK: upload → create → poll → download output, list, 409 on cancel, retry after 429;
// then the synchronous endpoints: chat completions in flex, responses, a shed flex call, flex on a model without it.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { admin, base, fail, pollUntil, report } from './common.mjs';

const NAME = 'openai';
try {
  const client = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: 'sk-emulator' });
  const lines = ['great product', 'arrived broken', 'fine I guess'].map((text, i) => JSON.stringify({
    custom_id: `sdk-${i}`, method: 'POST', url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Classify: ${text}` }], max_tokens: 5 },
  }));
  const file = await client.files.create({
    file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'sdk.jsonl'), purpose: 'batch',
  });
  assert.match(file.id, /^file-/);

  // One injected 429 with retry-after 0: the SDK retries by itself, and only one batch is created.
  await admin('/faults', { provider: 'openai', operation: 'create_batch', count: 1, status: 429, retry_after_seconds: 0 });
  const created = await client.batches.create({
    input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'sdk' },
  });
  assert.equal(created.status, 'validating');
  const counters = (await admin('/counters')).json;
  assert.equal(counters.calls['openai.create_batch'], 2);
  assert.equal(counters.batches_created.openai, 1);

  const done = await pollUntil(() => client.batches.retrieve(created.id), (b) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status));
  assert.equal(done.status, 'completed');
  assert.equal(done.request_counts.completed, 3);
  const content = await client.files.content(done.output_file_id);
  const out = (await content.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 3);
  for (const line of out) {
    assert.equal(line.response.status_code, 200);
    assert.ok(line.response.body.usage.completion_tokens <= 5);
  }
  const listed = [];
  for await (const b of client.batches.list({ limit: 1 })) listed.push(b.id);
  assert.ok(listed.includes(created.id));

  let conflict = null;
  try {
    await client.batches.cancel(created.id, { maxRetries: 0 });
  } catch (e) {
    conflict = e;
  }
  assert.ok(conflict instanceof OpenAI.ConflictError, `expected ConflictError, got ${conflict}`);

  // Synchronous chat completions in the flex tier, on a model that offers it (the guide's longer timeout).
  const messages = [{ role: 'user', content: 'Classify: great product' }];
  const flex = await client.chat.completions.create(
    { model: 'gpt-5-mini', messages, service_tier: 'flex', max_completion_tokens: 20 },
    { timeout: 15 * 60 * 1000 });
  assert.equal(flex.object, 'chat.completion');
  assert.equal(flex.service_tier, 'flex');
  assert.ok(flex.choices[0].message.content.length > 0);
  assert.ok(flex.usage.completion_tokens <= 20);
  assert.equal(flex.usage.total_tokens, flex.usage.prompt_tokens + flex.usage.completion_tokens);
  assert.equal(flex.usage.prompt_tokens_details.cached_tokens, 0);
  const standard = await client.chat.completions.create({ model: 'gpt-5-mini', messages, max_completion_tokens: 20 });
  assert.equal(standard.service_tier, 'default');
  assert.equal(standard.choices[0].message.content, flex.choices[0].message.content);

  // Responses API.
  const resp = await client.responses.create({ model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'Summarize: fine', max_output_tokens: 30 });
  assert.equal(resp.object, 'response');
  assert.equal(resp.service_tier, 'default');
  assert.ok(resp.output_text.length > 0);
  assert.ok(resp.usage.input_tokens > 0 && resp.usage.output_tokens > 0);

  // A shed flex call: 429 resource_unavailable (no retries here, to see it); Offpeak retries or falls back.
  await admin('/flex-shed', { provider: 'openai', count: 1 });
  let shed = null;
  try {
    await client.chat.completions.create({ model: 'gpt-5-mini', messages, service_tier: 'flex' }, { maxRetries: 0 });
  } catch (e) {
    shed = e;
  }
  assert.ok(shed instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${shed}`);
  assert.equal(shed.code, 'resource_unavailable');
  // The SDK's own retry gets through the next time.
  await admin('/flex-shed', { provider: 'openai', count: 1 });
  const retried = await client.chat.completions.create({ model: 'gpt-5-mini', messages, service_tier: 'flex' });
  assert.equal(retried.service_tier, 'flex');

  // Flex on a model without it: 400 naming service_tier.
  let refused = null;
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages, service_tier: 'flex' });
  } catch (e) {
    refused = e;
  }
  assert.ok(refused instanceof OpenAI.BadRequestError, `expected BadRequestError, got ${refused}`);
  assert.equal(refused.param, 'service_tier');

  const sync = (await admin('/counters')).json.sync;
  assert.equal(sync['openai.chat_completions.flex.answered'], 2);
  assert.equal(sync['openai.chat_completions.flex.shed'], 2);
  assert.equal(sync['openai.chat_completions.standard.answered'], 1);
  assert.equal(sync['openai.responses.standard.answered'], 1);
  report(NAME, { batch: done.id, status: done.status, lines: out.length, usage: done.usage, flexUsage: flex.usage });
} catch (e) {
  fail(NAME, e);
}
