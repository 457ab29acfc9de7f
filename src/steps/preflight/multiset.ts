/**
 * What `current` has that `known` has not, and the reverse, counting repeats: two equal findings
 * against one known leave one new. Comparing counts instead would let a fixed finding hide a new one.
 */
export function multisetDifference<C, K>(current: C[], known: K[], keyOfCurrent: (c: C) => string, keyOfKnown: (k: K) => string): { added: C[]; removed: K[] } {
  const remaining = new Map<string, K[]>()
  for (const k of known) {
    const key = keyOfKnown(k)
    remaining.set(key, [...(remaining.get(key) ?? []), k])
  }
  const added: C[] = []
  for (const c of current) {
    const same = remaining.get(keyOfCurrent(c))
    if (same?.length) same.pop()
    else added.push(c)
  }
  return { added, removed: [...remaining.values()].flat() }
}
