// openai SDK: upload → create → poll → download output, list, 409 on cancel, retry after 429.
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
  report(NAME, { batch: done.id, status: done.status, lines: out.length, usage: done.usage });
} catch (e) {
  fail(NAME, e);
}
