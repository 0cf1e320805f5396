// @google/genai: inline job and file job (resumable upload, responses file download), list, cancel, delete;
// then models.generateContent in the standard and flex tiers, and a shed flex call.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { admin, base, fail, pollUntil, report } from './common.mjs';

const NAME = 'gemini';
const TERMINAL = ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED'];
try {
  const ai = new GoogleGenAI({ apiKey: 'AIza-emulator', httpOptions: { baseUrl: `${base}/gemini` } });
  const model = 'gemini-2.5-flash';

  const inline = await ai.batches.create({
    model,
    src: [
      { contents: [{ role: 'user', parts: [{ text: 'Classify: great product' }] }] },
      { contents: [{ role: 'user', parts: [{ text: 'Classify: arrived broken' }] }], config: { maxOutputTokens: 3 } },
    ],
    config: { displayName: 'sdk-inline' },
  });
  assert.match(inline.name, /^batches\//);
  const inlineDone = await pollUntil(() => ai.batches.get({ name: inline.name }), (j) => TERMINAL.includes(j.state));
  assert.equal(inlineDone.state, 'JOB_STATE_SUCCEEDED');
  const responses = inlineDone.dest.inlinedResponses;
  assert.equal(responses.length, 2);
  assert.ok(responses[0].response.usageMetadata.promptTokenCount > 0);

  const jsonl = ['great product', 'arrived broken'].map((t, i) => JSON.stringify({
    key: `k${i}`, request: { contents: [{ parts: [{ text: `Classify: ${t}` }] }] },
  })).join('\n') + '\n';
  const uploaded = await ai.files.upload({
    file: new Blob([jsonl], { type: 'application/jsonl' }), config: { displayName: 'sdk-input', mimeType: 'jsonl' },
  });
  assert.match(uploaded.name, /^files\//);
  const fileJob = await ai.batches.create({ model, src: uploaded.name, config: { displayName: 'sdk-file' } });
  const fileDone = await pollUntil(() => ai.batches.get({ name: fileJob.name }), (j) => TERMINAL.includes(j.state));
  assert.equal(fileDone.state, 'JOB_STATE_SUCCEEDED');
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'genai-')), 'out.jsonl');
  await ai.files.download({ file: fileDone.dest.fileName, downloadPath: target });
  const lines = fs.readFileSync(target, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines.map((l) => l.key).sort(), ['k0', 'k1']);

  const names = [];
  const pager = await ai.batches.list({ config: { pageSize: 1 } });
  for await (const job of pager) names.push(job.name);
  assert.ok(names.includes(inline.name) && names.includes(fileJob.name), JSON.stringify(names));

  const toCancel = await ai.batches.create({ model, src: [{ contents: [{ parts: [{ text: 'x' }] }] }], config: { displayName: 'sdk-cancel' } });
  await ai.batches.cancel({ name: toCancel.name });
  const cancelled = await pollUntil(() => ai.batches.get({ name: toCancel.name }), (j) => TERMINAL.includes(j.state));
  assert.equal(cancelled.state, 'JOB_STATE_CANCELLED');
  await ai.batches.delete({ name: toCancel.name });

  // Synchronous generateContent: the same answer as the inline batch's first request.
  const std = await ai.models.generateContent({ model, contents: [{ role: 'user', parts: [{ text: 'Classify: great product' }] }] });
  assert.ok(std.text.length > 0);
  assert.equal(std.text, responses[0].response.candidates[0].content.parts[0].text);
  assert.equal(std.usageMetadata.promptTokenCount, responses[0].response.usageMetadata.promptTokenCount);
  assert.equal(std.usageMetadata.serviceTier, 'standard');
  const flex = await ai.models.generateContent({
    model, contents: 'Classify: arrived broken', config: { serviceTier: 'flex', maxOutputTokens: 3 },
  });
  assert.equal(flex.usageMetadata.serviceTier, 'flex');
  assert.ok(flex.usageMetadata.candidatesTokenCount <= 3);
  assert.equal(flex.candidates[0].finishReason, 'MAX_TOKENS');
  await admin('/flex-shed', { provider: 'gemini', count: 1 });
  let shed = null;
  try {
    await ai.models.generateContent({ model, contents: 'x', config: { serviceTier: 'flex', httpOptions: { retryOptions: { attempts: 1 } } } });
  } catch (e) {
    shed = e;
  }
  assert.equal(shed?.status, 503, `expected 503, got ${shed}`);
  const sync = (await admin('/counters')).json.sync;
  assert.equal(sync['gemini.generate_content.flex.answered'], 1);
  assert.equal(sync['gemini.generate_content.flex.shed'], 1);
  report(NAME, { inline: inlineDone.name, file: fileDone.name, responsesFile: fileDone.dest.fileName, flexUsage: flex.usageMetadata });
} catch (e) {
  fail(NAME, e);
}
