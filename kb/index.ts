/** Public surface of the knowledge base (what app/ composes). */
export { openKnowledgeBase, type OpenKb, type OpenKbOptions, type SavedArticle } from './open-kb.js';
export { SearchKnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
export { buildIndex, buildIndexAsync, DEFAULT_FIELD_WEIGHTS, type AsyncBuildOptions, type FieldWeights, type IndexOptions, type KbIndex } from './search-index.js';
export { loadKbDir, parseArticle } from './loader.js';
export { watchFolder, type WatchOptions } from './watch.js';
export { MemoryFeedbackStore, MAX_BOOST, queryKey, type FeedbackStore, type FeedbackEvent, type FeedbackTally } from './feedback.js';
export { DEFAULT_CALIBRATION, PHRASE_CALIBRATION, type Calibration } from './calibration.js';
export { cleanQuery } from './clean-query.js';
export { missingTranslations, nearDuplicates, neverRetrieved, type AuthoringFinding } from './authoring.js';
export type { Article, LoadIssue, LoadResult } from './types.js';
export { gapTerms } from './gap-terms.js';
export { signatureSimilarity, textSignature } from './similarity.js';
