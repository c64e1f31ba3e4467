import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rank } from '../../kb/rank.js';
import type { KbIndex } from '../../kb/search-index.js';
import { queryUnits } from '../../kb/search.js';
import type { Article } from '../../kb/types.js';

/** A Markdown article with front matter. */
export function md(fields: Record<string, unknown>, body: string): string {
  const fm = Object.entries(fields)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : JSON.stringify(v)}`)
    .join('\n');
  return `---\n${fm}\n---\n${body}\n`;
}

/** A temporary folder with the given files; `cleanup()` removes it. */
export async function tempKb(files: Record<string, string>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-test-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A small bilingual knowledge base written for the tests (not the dev set). */
export const SAMPLE: Record<string, string> = {
  'vpn-auth-failed.md': md(
    { title: 'VPN says authentication failed', lang: 'en', category: 'network', tags: ['vpn', 'login', 'authentication'] },
    '# VPN says authentication failed\n\nThe VPN client rejects your sign-in with "authentication failed" after a password change.\n\n## Steps\n1. Sign out of the VPN client and sign in again with your new password.\n2. Approve the MFA prompt on your phone.\n3. If it still fails, reset your password in the self-service portal.',
  ),
  'printer-offline.md': md(
    { title: 'Office printer shows as offline', lang: 'en', category: 'printing', tags: ['printer', 'offline', 'print-queue'] },
    '# Office printer shows as offline\n\nYour print jobs stay in the queue and the printer is listed as offline.\n\n## Steps\n1. Check that the printer is switched on and connected to the network.\n2. Remove and re-add the printer from the print server.\n3. Clear the print queue and print a test page.',
  ),
  'correo-no-entra.md': md(
    { title: 'No puedo entrar al correo', lang: 'es', category: 'email', tags: ['correo', 'outlook', 'inicio-sesion'] },
    '# No puedo entrar al correo\n\nOutlook o la web del correo te pide la contraseña una y otra vez y no te deja entrar.\n\n## Pasos\n1. Comprueba que tu contraseña no ha caducado.\n2. Cierra sesión en Outlook y vuelve a iniciar sesión.\n3. Si tu cuenta está bloqueada, pide el desbloqueo a IT.',
  ),
  'impresora-atasco.md': md(
    { title: 'Atasco de papel en la impresora', lang: 'es', category: 'printing', tags: ['impresora', 'papel', 'atasco'], summary: 'Cómo quitar un atasco de papel sin romper la impresora.' },
    '# Atasco de papel en la impresora\n\nLa impresora muestra un aviso de atasco y no imprime.\n\n## Pasos\n1. Abre la bandeja indicada en la pantalla.\n2. Tira del papel atascado con cuidado hacia ti.\n3. Cierra la bandeja y vuelve a imprimir.',
  ),
  'laptop-battery.md': md(
    { title: 'Laptop battery drains fast', lang: 'en', category: 'hardware', tags: ['laptop', 'battery', 'power'] },
    '# Laptop battery drains fast\n\nThe laptop battery lasts only an hour or two away from the charger.\n\n## Steps\n1. Lower the screen brightness and close apps you do not use.\n2. Check the battery health report.\n3. Ask IT for a replacement battery if the health is under 60%.',
  ),
};

/** An article written in a test (the summary is the body's first line unless given). */
export const article = (id: string, lang: string, title: string, tags: string[], body: string, summary = body.split('\n')[0]!): Article =>
  ({ id, title, lang, category: 'general', tags, summary, body, source: 'test' });

/** The ids a query shows, best first. */
/** Three English articles with no summary, for the clause and long-message tests (password, slow VPN, holidays). */
export const CLAUSE_ARTICLES: Article[] = [
  article('reset-password', 'en', 'Reset your password', ['password'], 'Forgot your password? Open the portal and choose reset.\nYou need your phone.', ''),
  article('vpn-slow', 'en', 'VPN is slow', ['vpn', 'slow'], 'A slow VPN at home: restart the router.', ''),
  article('holidays', 'en', 'Book holidays', ['holidays', 'leave'], 'Ask your manager to approve the leave in the portal.', ''),
];

export const shownIds = (ix: KbIndex, q: string): string[] => rank(ix, q).map((r) => ix.articles[r.doc]!.id);

/** Every index term a query's words reach (stems, concepts, translations, typo corrections). */
export function reachedTerms(ix: KbIndex, q: string): string[] {
  const names = new Map([...ix.termIds].map(([t, id]) => [id, t]));
  return queryUnits(ix, q).flatMap((u) => u.expansions.map((e) => names.get(e.term)!));
}
