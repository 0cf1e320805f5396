// @anthropic-ai/sdk: create → poll → results stream, list pages, delete, 404 as NotFoundError;
// then messages.create, reading the prompt cache the batch wrote, and an injected 529.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { admin, base, fail, pollUntil, report } from './common.mjs';

const NAME = 'anthropic';
try {
  const client = new Anthropic({ baseURL: `${base}/anthropic`, apiKey: 'sk-ant-emulator' });
  const shared = 'You are a careful sentiment classifier. '.repeat(120);
  const requests = ['great product', 'arrived broken', 'fine I guess'].map((text, i) => ({
    custom_id: `sdk-${i}`,
    params: {
      // Sonnet 4.5 caches from 1,024 tokens; Haiku 4.5 only from 4,096, more than this prefix holds
      model: 'claude-sonnet-4-5', max_tokens: 16,
      system: [{ type: 'text', text: shared, cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: `Classify: ${text}` }],
    },
  }));
  const created = await client.messages.batches.create({ requests });
  assert.equal(created.processing_status, 'in_progress');
  const done = await pollUntil(() => client.messages.batches.retrieve(created.id), (b) => b.processing_status === 'ended');
  assert.equal(done.request_counts.succeeded, 3);
  const results = [];
  for await (const r of await client.messages.batches.results(created.id)) results.push(r);
  assert.equal(results.length, 3);
  const usage = results.map((r) => r.result.message.usage);
  assert.equal(usage.filter((u) => u.cache_creation_input_tokens > 0).length, 1);
  assert.equal(usage.filter((u) => u.cache_read_input_tokens > 0).length, 2);

  const listed = [];
  for await (const b of client.messages.batches.list({ limit: 1 })) listed.push(b.id);
  assert.ok(listed.includes(created.id));
  const deleted = await client.messages.batches.delete(created.id);
  assert.equal(deleted.type, 'message_batch_deleted');
  let notFound = null;
  try {
    await client.messages.batches.retrieve(created.id);
  } catch (e) {
    notFound = e;
  }
  assert.ok(notFound instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${notFound}`);

  // Synchronous Messages API: same prefix as the batch, so it reads the cache the batch wrote.
  const msg = await client.messages.create({
    model: 'claude-sonnet-4-5', max_tokens: 16,
    system: [{ type: 'text', text: shared, cache_control: { type: 'ephemeral', ttl: '1h' } }],
    messages: [{ role: 'user', content: 'Classify: great product' }],
  });
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.content[0].type, 'text');
  assert.ok(msg.content[0].text.length > 0);
  assert.equal(msg.usage.service_tier, 'standard');
  assert.ok(msg.usage.cache_read_input_tokens > 0, JSON.stringify(msg.usage));
  assert.equal(msg.usage.cache_creation_input_tokens, 0);
  assert.ok(msg.usage.output_tokens <= 16);
  const sameInBatch = results.find((r) => r.custom_id === 'sdk-0').result.message;
  assert.deepEqual(msg.content, sameInBatch.content);

  // An injected 529 comes back as the SDK's overloaded error (no retries here, to see it).
  await admin('/faults', { provider: 'anthropic', operation: 'messages', count: 1, status: 529 });
  let overloaded = null;
  try {
    await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
      { maxRetries: 0 });
  } catch (e) {
    overloaded = e;
  }
  assert.equal(overloaded?.status, 529, `expected 529, got ${overloaded}`);
  assert.equal(overloaded.error.error.type, 'overloaded_error');
  const sync = (await admin('/counters')).json.sync;
  assert.equal(sync['anthropic.messages.standard.answered'], 1);
  report(NAME, { batch: created.id, results: results.length, usage: usage[1], syncUsage: msg.usage });
} catch (e) {
  fail(NAME, e);
}
