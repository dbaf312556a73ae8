/** 32-bit FNV-1a over a string's UTF-16 code units: cheap, stable across runs and processes. */
export function fnv1a(text: string, basis = 0x811c9dc5, prime = 0x01000193): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), prime);
  return hash >>> 0;
}
