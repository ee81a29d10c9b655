/** Compiles base64-encoded WebAssembly, or null where WebAssembly (with SIMD) is unavailable or refuses it. */
export function compileKernels(base64: string): WebAssembly.Module | null {
  try {
    const bytes = decodeBase64(base64);
    return typeof WebAssembly !== "undefined" && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typeof Buffer !== "undefined") return Uint8Array.from(Buffer.from(text, "base64"));
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
