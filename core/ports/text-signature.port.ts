/**
 * The content terms of a text (stems and glossary concepts, stop words dropped), as the knowledge
 * base's analyzer sees it: two requests with nearly the same terms say nearly the same thing.
 * kb/ implements it; it must be linear in the text and take bounded input.
 */
export type TextSignature = (text: string) => readonly string[];
