import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeContentType, safeFilename } from '../../adapters/email/email.attachments.js';
import { contentDisposition } from '../../adapters/web/email/attachments.routes.js';
import { MongoAttachmentStore } from '../../core/store/attachment.store.js';
import { openAttachment } from '../../core/use-cases/ticket-attachments.js';
import { harness } from '../jobs/harness.js';
import { testAgent, testDesk } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';

describe('attachment names and types', () => {
  it('drops path parts, control, bidi and reserved characters; keeps Unicode (NFC) and the extension', () => {
    expect(safeFilename('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFilename('C:\\Users\\me\\report.pdf', 'x')).toBe('report.pdf');
    expect(safeFilename('in\r\nvoice.pdf', 'x')).toBe('invoice.pdf');
    expect(safeFilename('photo\u202Egpj.exe', 'x')).toBe('photogpj.exe');
    expect(safeFilename('a<b>:c"d|e?f*.txt', 'x')).toBe('a_b__c_d_e_f_.txt');
    expect(safeFilename('..', 'attachment-1')).toBe('attachment-1');
    expect(safeFilename(' .hidden ', 'x')).toBe('hidden');
    expect(safeFilename(undefined, 'attachment-2')).toBe('attachment-2');
    expect(safeFilename('Ñandu\u0301 résumé.pdf', 'x')).toBe('Ñandú résumé.pdf'); // combining accent composed (NFC)
    const long = safeFilename(`${'ä'.repeat(400)}.docx`, 'x');
    expect([...long]).toHaveLength(150);
    expect(long.endsWith('.docx')).toBe(true);
    // Linear on hostile input.
    const t0 = performance.now();
    safeFilename('/'.repeat(1_000_000) + '.'.repeat(1_000_000), 'x');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('keeps a declared type only when it is a plain type/subtype', () => {
    expect(safeContentType('Application/PDF')).toBe('application/pdf');
    expect(safeContentType('text/html\r\nSet-Cookie: a=b')).toBe('application/octet-stream');
    expect(safeContentType('text')).toBe('application/octet-stream');
    expect(safeContentType('a/b/c')).toBe('application/octet-stream');
  });

  it('Content-Disposition: an ASCII fallback without quotes and the exact name in filename*', () => {
    expect(contentDisposition('Ñandú "x".pdf')).toBe(`attachment; filename="_and_ _x_.pdf"; filename*=UTF-8''%C3%91and%C3%BA%20%22x%22.pdf`);
    expect(contentDisposition("it's (1).txt")).toBe(`attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`);
  });
});

describe('MongoAttachmentStore (GridFS on FerretDB)', () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let store: MongoAttachmentStore;
  beforeAll(async () => {
    db = await freshDb();
    store = new MongoAttachmentStore(db.connection);
    await store.init();
  });
  afterAll(async () => {
    await db?.drop();
  });
  const meta = (id: string, position = 0) => ({ id, ticketId: 't1', filename: 'f.bin', contentType: 'application/octet-stream', size: 0, source: { platform: 'email', message: 'm1', position }, at: new Date() });
  const read = async (id: string) => {
    const parts: Buffer[] = [];
    for await (const c of store.read(id)) parts.push(Buffer.from(c));
    return Buffer.concat(parts);
  };

  it('stores a multi-chunk file whole and reads it back; storing it again changes nothing', async () => {
    const content = Buffer.alloc(700 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    const r = await store.store(meta('att_a'), content);
    expect(r).toMatchObject({ status: 'stored', size: content.length });
    expect((await read('att_a')).equals(content)).toBe(true);
    await store.store(meta('att_a'), Buffer.from('different'));
    expect((await read('att_a')).equals(content)).toBe(true);
    expect(await db.connection.db!.collection('attachment_files.files').countDocuments({ _id: 'att_a' as never })).toBe(1);
  });

  it('an upload that died part-way (chunks, no file, no record) is invisible, and the retry replaces it', async () => {
    await db.connection.db!.collection('attachment_files.chunks').insertOne({ files_id: 'att_b', n: 0, data: Buffer.from('half') } as never);
    expect(await store.get('att_b')).toBeNull();
    expect(await store.list('t1')).toHaveLength(1);
    const content = Buffer.from('the whole file');
    await store.store(meta('att_b', 1), content);
    expect((await read('att_b')).toString()).toBe('the whole file');
    expect(await db.connection.db!.collection('attachment_files.chunks').countDocuments({ files_id: 'att_b' })).toBe(1);
  });

  it('a refused file is listed with its reason and has no content', async () => {
    await store.refuse({ ...meta('att_c', 2), size: 99 }, 'file_too_large');
    const list = await store.list('t1');
    expect(list.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['att_a', 'stored', undefined],
      ['att_b', 'stored', undefined],
      ['att_c', 'refused', 'file_too_large'],
    ]);
    expect(await db.connection.db!.collection('attachment_files.files').countDocuments({ _id: 'att_c' as never })).toBe(0);
  });
});

describe('openAttachment (core): who may read a file', () => {
  it('the requester and agents of the desk may; another desk\'s agent and a stranger get TICKET.NOT_AGENT', async () => {
    const rita = { platform: 'email' as const, workspace: 'example.com', user: 'rita@example.com' };
    const ana = { platform: 'slack' as const, workspace: 'T1', user: 'UANA' };
    const hugo = { platform: 'slack' as const, workspace: 'T1', user: 'UHUGO' };
    const h = await harness([testDesk(), testDesk({ id: 'hr', prefix: 'HR', name: 'HR' })], [testAgent('ana', [ana]), testAgent('hugo', [hugo], 1, { desks: [{ desk: 'hr', tier: 1, lead: true }] })]);
    try {
      const r = await h.hd.helpdesk.handle({ type: 'help.request', eventId: 'open-1', request: { idempotencyKey: 'open-1', requester: rita, text: 'files', origin: { platform: 'email', workspace: 'example.com', channel: 'it@help.test' }, deskId: 'it', skipSuggestions: true } });
      if (r.kind !== 'opened') throw new Error(r.kind);
      const rec = await h.hd.deps.attachments!.store({ id: 'att_perm', ticketId: r.ticket.id, filename: 'x.txt', contentType: 'text/plain', size: 3, source: { platform: 'email', message: 'm', position: 0 }, at: new Date() }, Buffer.from('abc'));
      expect((await openAttachment(h.hd.deps, rec.id, rita))?.record.id).toBe('att_perm');
      expect((await openAttachment(h.hd.deps, rec.id, ana))?.record.id).toBe('att_perm');
      await expect(openAttachment(h.hd.deps, rec.id, hugo)).rejects.toMatchObject({ code: 'TICKET.NOT_AGENT' });
      await expect(openAttachment(h.hd.deps, rec.id, { platform: 'email', workspace: 'example.com', user: 'mallory@example.com' })).rejects.toMatchObject({ code: 'TICKET.NOT_AGENT' });
      expect(await openAttachment(h.hd.deps, 'att_missing', ana)).toBeNull();
    } finally {
      await h.close();
    }
  });
});
