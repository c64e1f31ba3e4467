/**
 * The positions of the `n` largest of `keys[0..m)`, largest first; equal keys keep their order, as a
 * stable sort would. One pass with a binary heap of at most `n` positions (the worst kept at its root):
 * O(m log n) and nothing allocated per item — the search's candidates can be most of a 10k-article index.
 */
export function topPositions(keys: Float64Array, m: number, n: number): number[] {
  const heap: number[] = [];
  // `a` ranks below `b`: a smaller key, or the same key seen later.
  const below = (a: number, b: number): boolean => keys[a]! < keys[b]! || (keys[a] === keys[b] && a > b);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const c = l + 1 < heap.length && below(heap[l + 1]!, heap[l]!) ? l + 1 : l;
      if (!below(heap[c]!, heap[i]!)) return;
      [heap[c], heap[i]] = [heap[i]!, heap[c]!];
      i = c;
    }
  };
  for (let p = 0; p < m && n > 0; p++) {
    if (heap.length < n) {
      heap.push(p);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!below(heap[i]!, heap[parent]!)) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (below(heap[0]!, p)) {
      heap[0] = p;
      down(0);
    }
  }
  return heap.sort((a, b) => (keys[b]! - keys[a]!) || a - b);
}
