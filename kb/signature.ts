import type { TextSignature } from '../core/ports/text-signature.port.js';
import { analyze } from './analyze.js';
import { defaultGlossary, type Glossary } from './glossary.js';

/** Characters of a text the signature reads (the analyzer is linear; the bound keeps it cheap). */
export const SIGNATURE_TEXT_MAX = 1000;

/**
 * A ticket's content terms through the KB analyzer: a glossary concept stands for every word of
 * its group (so "vpn keeps dropping" and "VPN se cae" share `~vpn`-style concepts), otherwise the
 * stem. Used to group near-identical tickets on storm cards (core/use-cases/group-tickets.ts).
 */
export function textSignature(glossary: Glossary = defaultGlossary()): TextSignature {
  return (text) => {
    const terms = new Set<string>();
    for (const tok of analyze(text.slice(0, SIGNATURE_TEXT_MAX), glossary)) {
      if (tok.concepts.length) for (const c of tok.concepts) terms.add(c);
      else if (tok.stem) terms.add(tok.stem);
    }
    return [...terms];
  };
}
